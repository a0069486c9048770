module Functional.Tests.Ops.ConvolutionTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Functional
open Functional.Tests

/// A small convolution: spatial parameters per dimension (1 or 2 dimensions).
type ConvConfig =
    {
        Batch: int
        Groups: int
        InPerGroup: int
        OutPerGroup: int
        Size: int list
        Kernel: int list
        Stride: int list
        Padding: int list
        Dilation: int list
        OutputPadding: int list
        Bias: bool
        Seed: int
    }

/// One spatial dimension of a convolution whose kernel fits the padded input: (size, k, s, p, d).
let private convDim =
    gen {
        let! k = Gen.choose (1, 3)
        let! s = Gen.choose (1, 3)
        let! d = Gen.choose (1, 2)
        let! p = Gen.choose (0, 2)
        let! extra = Gen.choose (0, 3)
        return max 1 (d * (k - 1) + 1 - 2 * p + extra), k, s, p, d
    }

/// One spatial dimension of a transposed convolution with a positive output size: (size, k, s, p, d, op).
let private transposedDim =
    gen {
        let! size = Gen.choose (1, 3)
        let! k = Gen.choose (1, 3)
        let! s = Gen.choose (1, 3)
        let! d = Gen.choose (1, 2)
        let! p = Gen.choose (0, 2)
        let! op = Gen.choose (0, max s d - 1)

        let p =
            if (size - 1) * s - 2 * p + d * (k - 1) + op + 1 >= 1 then
                p
            else
                0

        return size, k, s, p, d, op
    }

let private config (nd: int) (transposed: bool) =
    gen {
        let! batch = Gen.choose (1, 2)
        let! groups = Gen.choose (1, 2)
        let! inPerGroup = Gen.choose (1, 2)
        let! outPerGroup = Gen.choose (1, 2)
        let! bias = Gen.elements [ true; false ]
        let! seed = Gen.choose (0, 10000)

        let! dims =
            if transposed then
                Gen.listOfLength nd transposedDim
            else
                Gen.listOfLength nd convDim
                |> Gen.map (List.map (fun (n, k, s, p, d) -> n, k, s, p, d, 0))

        return
            {
                Batch = batch
                Groups = groups
                InPerGroup = inPerGroup
                OutPerGroup = outPerGroup
                Size = dims |> List.map (fun (n, _, _, _, _, _) -> n)
                Kernel = dims |> List.map (fun (_, k, _, _, _, _) -> k)
                Stride = dims |> List.map (fun (_, _, s, _, _, _) -> s)
                Padding = dims |> List.map (fun (_, _, _, p, _, _) -> p)
                Dilation = dims |> List.map (fun (_, _, _, _, d, _) -> d)
                OutputPadding = dims |> List.map (fun (_, _, _, _, _, o) -> o)
                Bias = bias
                Seed = seed
            }
    }

let private randn (seed: int) (k: int) (shape: int list) =
    Tensor.randn (Rng.fold k (Rng.seed seed), shape, Float64)

/// Arguments [x; w; (b)] of a configuration: x: (N, C_in, *S), w: (C_out, C_in / G, *K) for a
/// convolution or (C_in, C_out / G, *K) for a transposed one.
let private arguments (transposed: bool) (c: ConvConfig) =
    let cin, cout = c.Groups * c.InPerGroup, c.Groups * c.OutPerGroup
    let x = randn c.Seed 0 ([ c.Batch; cin ] @ c.Size)

    let w =
        if transposed then
            randn c.Seed 1 ([ cin; c.OutPerGroup ] @ c.Kernel)
        else
            randn c.Seed 1 ([ cout; c.InPerGroup ] @ c.Kernel)

    [|
        x
        w
        if c.Bias then
            randn c.Seed 2 [ cout ]
    |]

let private bias (a: Tensor[]) =
    if a.Length > 2 then Some a[2] else None

let private conv (c: ConvConfig) (a: Tensor[]) =
    match c.Size.Length with
    | 1 ->
        Tensor.conv1d (
            a[0],
            a[1],
            ?bias = bias a,
            stride = c.Stride[0],
            padding = c.Padding[0],
            dilation = c.Dilation[0],
            groups = c.Groups
        )
    | _ ->
        Tensor.conv2d (
            a[0],
            a[1],
            ?bias = bias a,
            strides = c.Stride,
            paddings = c.Padding,
            dilations = c.Dilation,
            groups = c.Groups
        )

let private convTranspose (c: ConvConfig) (a: Tensor[]) =
    match c.Size.Length with
    | 1 ->
        Tensor.convTranspose1d (
            a[0],
            a[1],
            ?bias = bias a,
            stride = c.Stride[0],
            padding = c.Padding[0],
            outputPadding = c.OutputPadding[0],
            dilation = c.Dilation[0],
            groups = c.Groups
        )
    | _ ->
        Tensor.convTranspose2d (
            a[0],
            a[1],
            ?bias = bias a,
            strides = c.Stride,
            paddings = c.Padding,
            outputPaddings = c.OutputPadding,
            dilations = c.Dilation,
            groups = c.Groups
        )

/// GradCheck (both modes, second order) of an op on FsCheck-generated configurations.
let private gradCheckProperty
    (name: string)
    (nd: int)
    (transposed: bool)
    (op: ConvConfig -> Tensor[] -> Tensor)
    =
    testPropertyWithConfig
        { FsCheckConfig.defaultConfig with
            maxTest = 12
        }
        name
        (Prop.forAll (Arb.fromGen (config nd transposed)) (fun c ->
            GradCheck.checkArgs (op c) (arguments transposed c)
            true))

/// The fixture case's spatial parameter as one value (1-d) or a list (2-d).
let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    let ints = c.Ints
    let groups = c.Int "groups"

    let bias (a: Tensor[]) =
        if c.Bool "bias" then Some a[2] else None

    let f: Tensor[] -> Tensor =
        match c.Op with
        | "conv1d" ->
            fun a ->
                Tensor.conv1d (
                    a[0],
                    a[1],
                    ?bias = bias a,
                    stride = (ints "stride")[0],
                    padding = (ints "padding")[0],
                    dilation = (ints "dilation")[0],
                    groups = groups
                )
        | "conv2d" ->
            fun a ->
                a[0]
                    .Conv2d(
                        a[1],
                        ?bias = bias a,
                        strides = ints "stride",
                        paddings = ints "padding",
                        dilations = ints "dilation",
                        groups = groups
                    )
        | "convTranspose1d" ->
            fun a ->
                a[0]
                    .ConvTranspose1d(
                        a[1],
                        ?bias = bias a,
                        stride = (ints "stride")[0],
                        padding = (ints "padding")[0],
                        outputPadding = (ints "outputPadding")[0],
                        dilation = (ints "dilation")[0],
                        groups = groups
                    )
        | "convTranspose2d" ->
            fun a ->
                Tensor.convTranspose2d (
                    a[0],
                    a[1],
                    ?bias = bias a,
                    strides = ints "stride",
                    paddings = ints "padding",
                    outputPaddings = ints "outputPadding",
                    dilations = ints "dilation",
                    groups = groups
                )
        | op -> failwith $"no F# function for fixture op {op}"

    if c.Bool "square" then
        fun a ->
            let y = f a
            y * y
    else
        f

let private zeros (shape: int list) = Tensor.zeros (shape, Float64)

/// Asserts that `op` on float32 copies of the inputs agrees with `op` on the float64 inputs, in its value and
/// in the gradient of <y, r> (a fixed random cotangent r) with respect to each input: max |a - b| <= 1e-4 max |b|.
let private agreesInFloat32 (seed: int) (shapes: int list list) (op: Tensor list -> Tensor) =
    let inputs =
        shapes |> List.mapi (fun i s -> Tensor.randn (Rng.seed (seed + i), s, Float64))

    let cotangent = Tensor.randn (Rng.seed (seed + 99), (op inputs).Shape, Float64)

    let results (xs: Tensor list) =
        let r = Tensor.toDtype (cotangent, xs.Head.Dtype)

        let gradients =
            xs
            |> List.mapi (fun i _ -> Diff.grad (fun x -> Tensor.sum (op (List.updateAt i x xs) * r)) xs[i])

        op xs :: gradients

    let single = results (inputs |> List.map (fun x -> Tensor.toDtype (x, Float32)))

    List.zip3 ("value" :: (shapes |> List.mapi (fun i _ -> $"gradient {i}"))) single (results inputs)
    |> List.iter (fun (what, a, b) ->
        let scale = (Tensor.max (Tensor.abs b)).ToDouble()
        let error = (Tensor.max (Tensor.abs (Tensor.toDtype (a, Float64) - b))).ToDouble()

        Expect.isTrue
            (error <= 1e-4 * scale)
            $"{what}: float32 differs from float64 by {error:G3} (largest magnitude {scale:G3})")

[<Tests>]
let tests =
    testList
        "Ops.Convolution"
        [
            TorchFixture.tests "convolution" resolve

            testList
                "GradCheck to second order on generated configurations"
                [
                    gradCheckProperty "conv1d" 1 false conv
                    gradCheckProperty "conv2d" 2 false conv
                    gradCheckProperty "convTranspose1d" 1 true convTranspose
                    gradCheckProperty "convTranspose2d" 2 true convTranspose
                ]

            testList
                "float32 agrees with float64 where libtorch's oneDNN kernels went wrong"
                [
                    test "conv2d, 30 input channels" {
                        agreesInFloat32 1 [ [ 4; 30; 8; 8 ]; [ 16; 30; 3; 3 ] ] (fun a ->
                            Tensor.conv2d (a[0], a[1], padding = 1))
                    }
                    test "conv2d, a partial batch of 30 (its weight gradient convolves over 30 channels)" {
                        agreesInFloat32 2 [ [ 30; 1; 8; 8 ]; [ 16; 1; 3; 3 ] ] (fun a ->
                            Tensor.conv2d (a[0], a[1], padding = 1))

                        agreesInFloat32 3 [ [ 30; 16; 4; 4 ]; [ 32; 16; 3; 3 ] ] (fun a ->
                            Tensor.conv2d (a[0], a[1], padding = 1))
                    }
                    test "conv1d, 20 input channels" {
                        agreesInFloat32 4 [ [ 8; 20; 12 ]; [ 16; 20; 3 ] ] (fun a ->
                            Tensor.conv1d (a[0], a[1], padding = 1))
                    }
                    test "convTranspose2d, 8 input channels" {
                        agreesInFloat32 5 [ [ 4; 8; 6; 6 ]; [ 8; 16; 3; 3 ] ] (fun a ->
                            Tensor.convTranspose2d (a[0], a[1], padding = 1))
                    }
                    test "strided convTranspose2d, 48 output channels" {
                        agreesInFloat32 6 [ [ 8; 16; 7; 7 ]; [ 16; 48; 3; 3 ] ] (fun a ->
                            Tensor.convTranspose2d (a[0], a[1], stride = 2, padding = 1, outputPadding = 1))
                    }
                ]

            testList
                "gradients at the edges of libtorch's backward kernels"
                [
                    test "an empty batch has a zero weight gradient and an empty input gradient" {
                        let w = Tensor.randn (Rng.seed 7, [ 4; 3; 3; 3 ], Float64)
                        let x = zeros [ 0; 3; 5; 5 ]

                        let gw = Diff.grad (fun w -> Tensor.sum (Tensor.conv2d (x, w, padding = 1))) w

                        TestUtil.expectClose 0.0 gw (zeros [ 4; 3; 3; 3 ]) "weight gradient"
                        let gx = Diff.grad (fun x -> Tensor.sum (Tensor.conv2d (x, w))) x
                        Expect.sequenceEqual gx.Shape [| 0; 3; 5; 5 |] "input gradient shape"
                    }
                    test "a transposed convolution whose output padding reaches the stride (dilation 2)" {
                        // the output has one row and column more than the adjoint convolution gives back,
                        // so its gradients pad the cotangent before calling the backward kernels
                        let x = Tensor.randn (Rng.seed 8, [ 2; 3; 4; 3 ], Float64)
                        let w = Tensor.randn (Rng.seed 9, [ 3; 2; 2; 3 ], Float64)

                        GradCheck.checkArgs
                            (fun a -> Tensor.convTranspose2d (a[0], a[1], dilation = 2, outputPadding = 1))
                            [| x; w |]
                    }
                ]

            test "output shapes follow PyTorch's formulas" {
                let y =
                    Tensor.conv2d (
                        zeros [ 2; 3; 7; 9 ],
                        zeros [ 4; 3; 3; 2 ],
                        strides = [ 2; 3 ],
                        paddings = [ 1; 0 ],
                        dilation = 2
                    )

                Expect.sequenceEqual
                    y.Shape
                    [| 2; 4; 3; 3 |]
                    "H: ⌊(7 + 2 - 4 - 1) / 2⌋ + 1 = 3, W: ⌊(9 - 2 - 1) / 3⌋ + 1 = 3"

                let t =
                    Tensor.convTranspose2d (
                        zeros [ 1; 4; 3; 2 ],
                        zeros [ 4; 3; 2; 3 ],
                        strides = [ 2; 1 ],
                        padding = 1,
                        outputPaddings = [ 1; 0 ],
                        groups = 2
                    )

                Expect.sequenceEqual
                    t.Shape
                    [| 1; 6; 5; 2 |]
                    "C: 3 × 2 groups, H: 2·2 - 2 + 1 + 1 + 1 = 5, W: 1 - 2 + 2 + 0 + 1 = 2"
            }

            testList
                "bad input"
                [
                    test "an unbatched input asks for a batch dimension" {
                        TestUtil.throwsArgument
                            [ "conv2d"; "[3; 5; 5]"; "rank 3"; "(N, C, H, W)"; "batch" ]
                            (fun () -> Tensor.conv2d (zeros [ 3; 5; 5 ], zeros [ 2; 3; 3; 3 ]))
                    }
                    test "a weight of the wrong rank" {
                        TestUtil.throwsArgument [ "conv1d"; "weight"; "[2; 3]"; "rank 3" ] (fun () ->
                            Tensor.conv1d (zeros [ 1; 3; 5 ], zeros [ 2; 3 ]))
                    }
                    test "input channels that do not match the weight" {
                        TestUtil.throwsArgument
                            [ "conv2d"; "[2; 3; 3; 3]"; "expects 3"; "4 channels" ]
                            (fun () -> Tensor.conv2d (zeros [ 1; 4; 5; 5 ], zeros [ 2; 3; 3; 3 ]))
                    }
                    test "channels that groups does not divide" {
                        TestUtil.throwsArgument [ "conv2d"; "groups = 2"; "output channels (3)" ] (fun () ->
                            Tensor.conv2d (zeros [ 1; 4; 5; 5 ], zeros [ 3; 2; 3; 3 ], groups = 2))
                    }
                    test "grouped weight with the wrong channel count" {
                        TestUtil.throwsArgument
                            [ "conv1d"; "expects 4 × groups 2 = 8"; "4 channels" ]
                            (fun () -> Tensor.conv1d (zeros [ 1; 4; 5 ], zeros [ 2; 4; 3 ], groups = 2))
                    }
                    test "a kernel larger than the padded input" {
                        TestUtil.throwsArgument
                            [ "conv2d"; "larger than the padded input"; "[3; 3]"; "[2; 2]" ]
                            (fun () -> Tensor.conv2d (zeros [ 1; 1; 2; 2 ], zeros [ 1; 1; 3; 3 ]))
                    }
                    test "a dilated kernel larger than the input" {
                        TestUtil.throwsArgument [ "conv1d"; "spanning 5" ] (fun () ->
                            Tensor.conv1d (zeros [ 1; 1; 4 ], zeros [ 1; 1; 3 ], dilation = 2))
                    }
                    test "a non-positive stride" {
                        TestUtil.throwsArgument [ "conv2d"; "stride must be >= 1"; "[0; 0]" ] (fun () ->
                            Tensor.conv2d (zeros [ 1; 1; 4; 4 ], zeros [ 1; 1; 2; 2 ], stride = 0))
                    }
                    test "negative padding" {
                        TestUtil.throwsArgument [ "conv1d"; "padding must be >= 0" ] (fun () ->
                            Tensor.conv1d (zeros [ 1; 1; 4 ], zeros [ 1; 1; 2 ], padding = -1))
                    }
                    test "zero groups" {
                        TestUtil.throwsArgument [ "conv1d"; "groups must be >= 1" ] (fun () ->
                            Tensor.conv1d (zeros [ 1; 1; 4 ], zeros [ 1; 1; 2 ], groups = 0))
                    }
                    test "both the scalar and the sequence form" {
                        TestUtil.throwsArgument [ "conv2d"; "both stride and strides" ] (fun () ->
                            Tensor.conv2d (
                                zeros [ 1; 1; 4; 4 ],
                                zeros [ 1; 1; 2; 2 ],
                                stride = 1,
                                strides = [ 1; 1 ]
                            ))
                    }
                    test "a sequence of the wrong length" {
                        TestUtil.throwsArgument [ "conv2d"; "paddings has 3 values"; "2 spatial" ] (fun () ->
                            Tensor.conv2d (
                                zeros [ 1; 1; 4; 4 ],
                                zeros [ 1; 1; 2; 2 ],
                                paddings = [ 1; 1; 1 ]
                            ))
                    }
                    test "a bias of the wrong shape" {
                        TestUtil.throwsArgument [ "conv2d"; "bias has shape [3]"; "2 channels" ] (fun () ->
                            Tensor.conv2d (zeros [ 1; 1; 4; 4 ], zeros [ 2; 1; 2; 2 ], zeros [ 3 ]))
                    }
                    test "mixed dtypes" {
                        TestUtil.throwsArgument [ "conv2d"; "Float64"; "Float32" ] (fun () ->
                            Tensor.conv2d (zeros [ 1; 1; 4; 4 ], Tensor.zeros [ 1; 1; 2; 2 ]))
                    }
                    test "an integer input" {
                        TestUtil.throwsArgument [ "conv1d"; "Int64"; "Float32 or Float64" ] (fun () ->
                            Tensor.conv1d (
                                Tensor.zeros ([ 1; 1; 4 ], Int64),
                                Tensor.zeros ([ 1; 1; 2 ], Int64)
                            ))
                    }
                    test "transposed: an output padding not below stride or dilation" {
                        TestUtil.throwsArgument
                            [ "convTranspose2d"; "outputPadding [2; 0]"; "smaller than stride" ]
                            (fun () ->
                                Tensor.convTranspose2d (
                                    zeros [ 1; 2; 3; 3 ],
                                    zeros [ 2; 1; 2; 2 ],
                                    stride = 2,
                                    outputPaddings = [ 2; 0 ]
                                ))
                    }
                    test "transposed: weight channels that do not match the input" {
                        TestUtil.throwsArgument
                            [
                                "convTranspose2d"
                                "expects 3 input channels"
                                "2 channels"
                                "(C_in, C_out / groups"
                            ]
                            (fun () -> Tensor.convTranspose2d (zeros [ 1; 2; 3; 3 ], zeros [ 3; 1; 2; 2 ]))
                    }
                    test "transposed: padding that leaves no output" {
                        TestUtil.throwsArgument
                            [ "convTranspose1d"; "output would have spatial size" ]
                            (fun () ->
                                Tensor.convTranspose1d (zeros [ 1; 1; 1 ], zeros [ 1; 1; 1 ], padding = 1))
                    }
                ]
        ]
