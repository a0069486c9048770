module Functional.Tests.Ops.PoolingTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Functional
open Functional.Tests

/// A small pooling window over 1 or 2 spatial dimensions.
type PoolConfig =
    {
        Batch: int
        Channels: int
        Size: int list
        Kernel: int list
        Stride: int list
        Padding: int list
        Dilation: int list
        CeilMode: bool
        CountIncludePad: bool
        Seed: int
    }

/// One spatial dimension whose (dilated) kernel fits the padded input: (size, k, s, p, d).
let private poolDim =
    gen {
        let! k = Gen.choose (1, 3)
        let! s = Gen.choose (1, 3)
        let! d = Gen.choose (1, 2)
        let! p = Gen.choose (0, k / 2)
        let! extra = Gen.choose (0, 3)
        return max 1 (d * (k - 1) + 1 - 2 * p + extra), k, s, p, d
    }

/// True when every window holds an input element (with dilation one can fall on padding only).
let private covered (ceilMode: bool) (size, k, s, p, d) =
    let room = size + 2 * p - d * (k - 1) - 1
    let o = (if ceilMode then (room + s - 1) / s else room / s) + 1
    let o = if ceilMode && (o - 1) * s >= size + p then o - 1 else o

    [ 0 .. o - 1 ]
    |> List.forall (fun w ->
        [ 0 .. k - 1 ]
        |> List.exists (fun j -> let e = w * s - p + j * d in e >= 0 && e < size))

let private config (nd: int) =
    gen {
        let! batch = Gen.choose (1, 2)
        let! channels = Gen.choose (1, 2)
        let! ceilMode = Gen.elements [ true; false ]

        let! dims =
            Gen.listOfLength nd poolDim |> Gen.filter (List.forall (covered ceilMode))

        let! countIncludePad = Gen.elements [ true; false ]
        let! seed = Gen.choose (0, 10000)

        return
            {
                Batch = batch
                Channels = channels
                Size = dims |> List.map (fun (n, _, _, _, _) -> n)
                Kernel = dims |> List.map (fun (_, k, _, _, _) -> k)
                Stride = dims |> List.map (fun (_, _, s, _, _) -> s)
                Padding = dims |> List.map (fun (_, _, _, p, _) -> p)
                Dilation = dims |> List.map (fun (_, _, _, _, d) -> d)
                CeilMode = ceilMode
                CountIncludePad = countIncludePad
                Seed = seed
            }
    }

let private maxPool (c: PoolConfig) (x: Tensor) =
    match c.Size.Length with
    | 1 -> Tensor.maxPool1d (x, c.Kernel[0], c.Stride[0], c.Padding[0], c.Dilation[0], c.CeilMode)
    | _ ->
        Tensor.maxPool2d (
            x,
            kernelSizes = c.Kernel,
            strides = c.Stride,
            paddings = c.Padding,
            dilations = c.Dilation,
            ceilMode = c.CeilMode
        )

/// Average pooling has no dilation: the configuration's dilation is ignored.
let private avgPool (c: PoolConfig) (x: Tensor) =
    match c.Size.Length with
    | 1 -> Tensor.avgPool1d (x, c.Kernel[0], c.Stride[0], c.Padding[0], c.CeilMode, c.CountIncludePad)
    | _ ->
        Tensor.avgPool2d (
            x,
            kernelSizes = c.Kernel,
            strides = c.Stride,
            paddings = c.Padding,
            ceilMode = c.CeilMode,
            countIncludePad = c.CountIncludePad
        )

/// GradCheck (both modes, second order) of a pool on FsCheck-generated configurations; the input's
/// elements are distinct (a random permutation of a grid) so that max pooling has no ties.
let private gradCheckProperty (name: string) (nd: int) (pool: PoolConfig -> Tensor -> Tensor) =
    testPropertyWithConfig
        { FsCheckConfig.defaultConfig with
            maxTest = 12
        }
        name
        (Prop.forAll (Arb.fromGen (config nd)) (fun c ->
            let shape = [ c.Batch; c.Channels ] @ c.Size
            let n = List.fold (*) 1 shape
            let order = Array.init n id |> Array.sortBy (fun i -> hash (c.Seed, i))

            let x =
                Tensor.create (order |> Array.map (fun i -> float i / float n - 0.5), Float64)

            GradCheck.check (pool c) (x.Reshape shape)
            true))

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    let ints = c.Ints
    let ceilMode = c.Bool "ceilMode"

    let f: Tensor -> Tensor =
        match c.Op with
        | "maxPool1d" ->
            fun x ->
                Tensor.maxPool1d (
                    x,
                    (ints "kernel")[0],
                    stride = (ints "stride")[0],
                    padding = (ints "padding")[0],
                    dilation = (ints "dilation")[0],
                    ceilMode = ceilMode
                )
        | "maxPool2d" ->
            fun x ->
                x.MaxPool2d(
                    kernelSizes = ints "kernel",
                    strides = ints "stride",
                    paddings = ints "padding",
                    dilations = ints "dilation",
                    ceilMode = ceilMode
                )
        | "avgPool1d" ->
            fun x ->
                x.AvgPool1d(
                    (ints "kernel")[0],
                    stride = (ints "stride")[0],
                    padding = (ints "padding")[0],
                    ceilMode = ceilMode,
                    countIncludePad = c.Bool "countIncludePad"
                )
        | "avgPool2d" ->
            fun x ->
                Tensor.avgPool2d (
                    x,
                    kernelSizes = ints "kernel",
                    strides = ints "stride",
                    paddings = ints "padding",
                    ceilMode = ceilMode,
                    countIncludePad = c.Bool "countIncludePad"
                )
        | op -> failwith $"no F# function for fixture op {op}"

    if c.Bool "square" then
        fun a ->
            let y = f a[0]
            y * y
    else
        fun a -> f a[0]

let private zeros (shape: int list) = Tensor.zeros (shape, Float64)

[<Tests>]
let tests =
    testList
        "Ops.Pooling"
        [
            TorchFixture.tests "pooling" resolve

            testList
                "GradCheck to second order on generated configurations"
                [
                    gradCheckProperty "maxPool1d" 1 maxPool
                    gradCheckProperty "maxPool2d" 2 maxPool
                    gradCheckProperty "avgPool1d" 1 avgPool
                    gradCheckProperty "avgPool2d" 2 avgPool
                ]

            test "the stride defaults to the kernel size" {
                let x = (Tensor.create ([ 1.0 .. 16.0 ], Float64)).Reshape [ 1; 1; 4; 4 ]
                let m = x.MaxPool2d 2
                Expect.sequenceEqual m.Shape [| 1; 1; 2; 2 |] "2 × 2 windows"
                Expect.sequenceEqual (m.ToArray<float>()) [| 6.0; 8.0; 14.0; 16.0 |] "window maxima"
                let a = Tensor.avgPool2d (x, 2)
                Expect.sequenceEqual (a.ToArray<float>()) [| 3.5; 5.5; 11.5; 13.5 |] "window means"
                let m1 = Tensor.maxPool1d (x.Reshape [ 1; 2; 8 ], 4)
                Expect.sequenceEqual (m1.ToArray<float>()) [| 4.0; 8.0; 12.0; 16.0 |] "1-d window maxima"
            }

            test "the max-pool gradient goes to each window's maximum, summed over overlapping windows" {
                let x = (Tensor.create ([ 1.0; 5.0; 2.0; 0.0; 3.0 ], Float64)).Reshape [ 1; 1; 5 ]
                let g = Diff.grad (fun x -> Tensor.sum (Tensor.maxPool1d (x, 3, stride = 1))) x

                Expect.sequenceEqual
                    (g.ToArray<float>())
                    [| 0.0; 2.0; 0.0; 0.0; 1.0 |]
                    "5 wins two windows, 3 one"
            }

            testList
                "bad input"
                [
                    test "an input of the wrong rank" {
                        TestUtil.throwsArgument [ "maxPool2d"; "[4; 4]"; "rank 2"; "(N, C, H, W)" ] (fun () ->
                            Tensor.maxPool2d (zeros [ 4; 4 ], 2))
                    }
                    test "no kernel size" {
                        TestUtil.throwsArgument [ "avgPool2d"; "no kernel size"; "kernelSizes" ] (fun () ->
                            Tensor.avgPool2d (zeros [ 1; 1; 4; 4 ]))
                    }
                    test "a kernel larger than the padded input" {
                        TestUtil.throwsArgument [ "maxPool1d"; "larger than the padded input" ] (fun () ->
                            Tensor.maxPool1d (zeros [ 1; 1; 3 ], 4))
                    }
                    test "padding more than half the kernel" {
                        TestUtil.throwsArgument
                            [ "avgPool2d"; "padding [2; 2]"; "half the kernel size [3; 3]" ]
                            (fun () -> Tensor.avgPool2d (zeros [ 1; 1; 6; 6 ], 3, padding = 2))
                    }
                    test "a non-positive stride" {
                        TestUtil.throwsArgument [ "maxPool2d"; "stride must be >= 1"; "[0; 1]" ] (fun () ->
                            Tensor.maxPool2d (zeros [ 1; 1; 4; 4 ], 2, strides = [ 0; 1 ]))
                    }
                    test "a non-positive kernel size" {
                        TestUtil.throwsArgument [ "avgPool1d"; "kernel size must be >= 1" ] (fun () ->
                            Tensor.avgPool1d (zeros [ 1; 1; 4 ], 0))
                    }
                    test "a dilated window on padding only" {
                        TestUtil.throwsArgument [ "maxPool1d"; "window 0"; "covers only padding" ] (fun () ->
                            Tensor.maxPool1d (zeros [ 1; 1; 1 ], 2, stride = 1, padding = 1, dilation = 2))
                    }
                    test "an integer input" {
                        TestUtil.throwsArgument [ "maxPool1d"; "Int64"; "Float32 or Float64" ] (fun () ->
                            Tensor.maxPool1d (Tensor.zeros ([ 1; 1; 4 ], Int64), 2))
                    }
                ]
        ]
