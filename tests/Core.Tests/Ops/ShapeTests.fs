module Functional.Tests.Ops.ShapeTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Functional
open Functional.Tests
open Functional.Tests.Ops.OpGenerators

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    let cube (x: Tensor) = x * x * x

    match c.Op with
    | "flatten" -> fun a -> Tensor.flatten (cube a[0], c.Int "startDim", c.Int "endDim")
    | "squeeze" -> fun a -> Tensor.squeeze (cube a[0])
    | "squeezeDim" -> fun a -> Tensor.squeeze (cube a[0], c.Int "dim")
    | "unsqueeze" -> fun a -> Tensor.unsqueeze (cube a[0], c.Int "dim")
    | "permute" -> fun a -> Tensor.permute (cube a[0], c.Ints "dims")
    | "expand"
    | "expandKeep" -> fun a -> Tensor.expand (cube a[0], c.Ints "shape")
    | "cat" -> fun a -> Tensor.cat ([ cube a[0]; a[1]; a[2] * a[1].[0..0, *] ], c.Int "dim")
    | "split" -> fun a -> (Tensor.split (a[0], c.Ints "sizes", c.Int "dim")).[c.Int "piece"] |> cube
    | "splitEvery" -> fun a -> (Tensor.split (a[0], c.Int "size", c.Int "dim")).[c.Int "piece"] |> cube
    | "chunk" -> fun a -> (Tensor.chunk (a[0], c.Int "chunks", c.Int "dim")).[c.Int "piece"] |> cube
    | "pad"
    | "padCrop" -> fun a -> Tensor.pad (cube a[0], c.Ints "pads", c.Float "value")
    | "flip" -> fun a -> Tensor.flip (cube a[0], c.Ints "dims")
    | "repeat" -> fun a -> Tensor.repeat (cube a[0], c.Ints "repeats")
    | "stack" -> fun a -> Tensor.stack ([ cube a[0]; a[1] * a[0] ], c.Int "dim")
    | op -> failwith $"no F# function for fixture op {op}"

let private f64 (data: obj) = Tensor.create (data, Float64)

let private expectValues (got: Tensor) (shape: int list) (values: float list) (what: string) =
    Expect.sequenceEqual got.Shape shape $"{what}: shape"
    Expect.sequenceEqual (got.ToArray<float>()) values $"{what}: values"

/// A property: draw a case, then gradient-check `f` on it to second order (both modes).
let private gradProperty name (gen: Gen<'a>) (check: 'a -> unit) =
    testPropertyWithConfig config name (Prop.forAll (Arb.fromGen gen) check)

let private gradcheck (f: Tensor -> Tensor) (x: Tensor) =
    GradCheck.check (fun x -> f (square x)) x

let private generated =
    testList
        "GradCheck to second order on generated shapes"
        [
            gradProperty
                "flatten"
                (gen {
                    let! s = shape 1 4
                    let! a = Gen.choose (0, s.Length - 1)
                    let! b = Gen.choose (a, s.Length - 1)
                    let! x = valuesOf s
                    return x, a, b
                })
                (fun (x, a, b) -> gradcheck (fun x -> Tensor.flatten (x, a, b - x.Rank)) x)

            gradProperty
                "squeeze / unsqueeze"
                (gen {
                    let! s = shape 1 3
                    let! d = Gen.choose (0, s.Length - 1)
                    let! u = Gen.choose (-s.Length - 1, s.Length)
                    let! x = valuesOf s
                    return x, d, u
                })
                (fun (x, d, u) ->
                    gradcheck Tensor.squeeze x
                    gradcheck (fun x -> Tensor.squeeze (x, d)) x
                    gradcheck (fun x -> Tensor.unsqueeze (x, u)) x)

            gradProperty
                "reshape (-1, added and removed size-1 dimensions, reversed sizes)"
                (gen {
                    let! s = shape 0 4
                    let n = Array.fold (*) 1 s
                    let! k = Gen.choose (0, max 0 (s.Length - 1))

                    let! target =
                        Gen.elements
                            [
                                [| n |]
                                [| -1 |]
                                Array.rev s
                                Array.concat [ [| 1 |]; s; [| 1 |] ]
                                [| n; 1 |]
                                (if s.Length = 0 then
                                     [| -1 |]
                                 else
                                     Array.updateAt k -1 (Array.rev s))
                            ]

                    let! x = valuesOf s
                    return x, target
                })
                (fun (x, target) ->
                    let y = x.Reshape target
                    Expect.equal y.NumElements x.NumElements "same number of elements"
                    TestUtil.expectClose 0.0 (y.Reshape x.Shape) x "reshaping back restores x"
                    gradcheck (fun x -> x.Reshape target) x)

            gradProperty
                "transpose"
                (gen {
                    let! s = shape 1 4
                    let! d0 = Gen.choose (-s.Length, s.Length - 1)
                    let! d1 = Gen.choose (-s.Length, s.Length - 1)
                    let! x = valuesOf s
                    return x, d0, d1
                })
                (fun (x, d0, d1) ->
                    let r = x.Rank
                    let a, b = (d0 + r) % r, (d1 + r) % r

                    let swapped =
                        [ 0 .. r - 1 ]
                        |> List.map (fun i ->
                            if i = a then b
                            elif i = b then a
                            else i)

                    TestUtil.expectClose
                        0.0
                        (Tensor.transpose (x, d0, d1))
                        (x.Permute swapped)
                        "a swapping permute"

                    gradcheck (fun x -> Tensor.transpose (x, d0, d1)) x)

            gradProperty
                "stack (new dimension anywhere, negative half of the time)"
                (gen {
                    let! s = shape 0 3
                    let! k = Gen.choose (1, 3)
                    let! d = Gen.choose (-s.Length - 1, s.Length)
                    let! parts = Gen.listOfLength k (valuesOf s)
                    return parts, d
                })
                (fun (parts, d) ->
                    let stacked = Tensor.stack (parts, d)
                    let joined = Tensor.cat (parts |> List.map (fun p -> p.Unsqueeze d), d)
                    TestUtil.expectClose 0.0 stacked joined "stack = cat of unsqueezed parts"

                    GradCheck.checkArgs
                        (fun xs -> Tensor.stack (Array.map square xs, d))
                        (Array.ofList parts))

            gradProperty
                "permute"
                (gen {
                    let! s = shape 1 4
                    let! p = permutation s.Length
                    let! x = valuesOf s
                    return x, p
                })
                (fun (x, p) -> gradcheck (fun x -> x.Permute p) x)

            gradProperty
                "expand (broadcasting size-1 and new leading dimensions)"
                (gen {
                    let! s = shape 0 3
                    let! lead = shapeOfRank 1
                    let! grown = Gen.listOfLength s.Length (Gen.choose (1, 3))

                    let target =
                        Array.append
                            lead
                            (Array.map2 (fun n g -> if n = 1 then g else n) s (Array.ofList grown))

                    let! x = valuesOf s
                    return x, target
                })
                (fun (x, target) -> gradcheck (fun x -> x.Expand target) x)

            gradProperty
                "flip"
                (gen {
                    let! s = shape 1 3
                    let! dims = Gen.subListOf [ 0 .. s.Length - 1 ]
                    let! x = valuesOf s
                    return x, dims
                })
                (fun (x, dims) -> gradcheck (fun x -> x.Flip dims) x)

            gradProperty
                "repeat"
                (gen {
                    let! s = shape 0 2
                    let! extra = Gen.choose (0, 1)
                    let! reps = Gen.listOfLength (s.Length + extra) (Gen.choose (1, 3))
                    let! x = valuesOf s
                    return x, reps
                })
                (fun (x, reps) -> gradcheck (fun x -> x.Repeat reps) x)

            gradProperty
                "cat and split are inverse"
                (gen {
                    let! s = shape 1 3
                    let! d = Gen.choose (0, s.Length - 1)
                    let! sizes = Gen.listOfLength 3 (Gen.choose (0, 2))

                    let! parts =
                        sizes
                        |> List.map (fun n -> valuesOf (Array.updateAt d n s))
                        |> Gen.sequenceToList

                    return parts, d, sizes
                })
                (fun (parts, d, sizes) ->
                    GradCheck.checkArgs (fun xs -> Tensor.cat (Array.map square xs, d)) (Array.ofList parts)
                    let joined = Tensor.cat (parts, d)
                    let pieces = Tensor.split (joined, sizes, d)

                    for p, q in Array.zip pieces (Array.ofList parts) do
                        TestUtil.expectClose 0.0 p q "split undoes cat"

                    gradcheck (fun x -> Tensor.cat ((Tensor.split (x, sizes, d)) |> Array.rev, d)) joined)

            gradProperty
                "chunk"
                (gen {
                    let! s = shape 1 3
                    let! d = Gen.choose (0, s.Length - 1)
                    let! n = Gen.choose (1, 4)
                    let! x = valuesOf s
                    return x, d, n
                })
                (fun (x, d, n) ->
                    let pieces = Tensor.chunk (x, n, d)
                    Expect.isLessThanOrEqual pieces.Length n "at most n chunks"

                    gradcheck
                        (fun x -> Tensor.cat (Tensor.chunk (x, n, d) |> Array.map (fun p -> p * 2.0), d))
                        x)

            gradProperty
                "pad (positive and cropping amounts)"
                (gen {
                    let! s = shape 1 3
                    let! pairs = Gen.choose (1, s.Length)

                    let! pads =
                        [
                            for k in 0 .. 2 * pairs - 1 -> Gen.choose (-(s[s.Length - 1 - k / 2] / 2), 2)
                        ]
                        |> Gen.sequenceToList

                    let! x = valuesOf s
                    return x, pads
                })
                (fun (x, pads) -> gradcheck (fun x -> x.Pad(pads, 0.5)) x)
        ]

let private values =
    testList
        "values"
        [
            test "flatten, squeeze, unsqueeze, permute shapes" {
                let x = Tensor.zeros [ 2; 1; 3; 1 ]
                Expect.sequenceEqual (x.Flatten().Shape) [ 6 ] "flatten all"
                Expect.sequenceEqual (x.Flatten(1, 2).Shape) [ 2; 3; 1 ] "flatten 1..2"
                Expect.sequenceEqual (x.Squeeze().Shape) [ 2; 3 ] "squeeze all"
                Expect.sequenceEqual (x.Squeeze(-1).Shape) [ 2; 1; 3 ] "squeeze last"

                Expect.sequenceEqual
                    (x.Squeeze(0).Shape)
                    [ 2; 1; 3; 1 ]
                    "squeeze of a non-1 dimension is a no-op"

                Expect.sequenceEqual (x.Unsqueeze(-1).Shape) [ 2; 1; 3; 1; 1 ] "unsqueeze -1"
                Expect.sequenceEqual (x.Permute([ 2; 0; 3; 1 ]).Shape) [ 3; 2; 1; 1 ] "permute"
                Expect.sequenceEqual ((Tensor.scalar 1.0).Flatten().Shape) [ 1 ] "a scalar flattens to [1]"
            }

            test "stack puts the tensors along a new dimension" {
                let a = f64 [| 1.0; 2.0 |]
                let b = f64 [| 3.0; 4.0 |]
                expectValues (Tensor.stack [ a; b ]) [ 2; 2 ] [ 1.0; 2.0; 3.0; 4.0 ] "dimension 0"
                expectValues (Tensor.stack ([ a; b ], 1)) [ 2; 2 ] [ 1.0; 3.0; 2.0; 4.0 ] "dimension 1"

                expectValues
                    (Tensor.stack ([ a; b; a ], -1))
                    [ 2; 3 ]
                    [ 1.0; 3.0; 1.0; 2.0; 4.0; 2.0 ]
                    "dimension -1"

                expectValues
                    (Tensor.stack [ Tensor.scalar (5.0, Float64); Tensor.scalar (6.0, Float64) ])
                    [ 2 ]
                    [ 5.0; 6.0 ]
                    "scalars"

                let m = f64 (array2D [ [ 1.0; 2.0 ]; [ 3.0; 4.0 ] ])

                expectValues
                    (Tensor.stack ([ m; m * 10.0 ], 1))
                    [ 2; 2; 2 ]
                    [ 1.0; 2.0; 10.0; 20.0; 3.0; 4.0; 30.0; 40.0 ]
                    "matrices along 1"

                let g =
                    Diff.grad
                        (fun x -> Tensor.sum (Tensor.stack ([ x; x * x ], 1) * f64 [| [| 1.0; 2.0 |] |]))
                        a

                expectValues g [ 2 ] [ 1.0 + 4.0; 1.0 + 8.0 ] "gradient through stack"
            }

            test "permute moves elements" {
                let x = f64 (array2D [ [ 1.0; 2.0; 3.0 ]; [ 4.0; 5.0; 6.0 ] ])
                expectValues (x.Permute [ 1; 0 ]) [ 3; 2 ] [ 1.0; 4.0; 2.0; 5.0; 3.0; 6.0 ] "permute"
            }

            test "expand, flip, repeat" {
                let x = f64 [| 1.0; 2.0 |]

                expectValues
                    (x.Reshape([ 2; 1 ]).Expand [ 2; 3 ])
                    [ 2; 3 ]
                    [ 1.0; 1.0; 1.0; 2.0; 2.0; 2.0 ]
                    "expand"

                expectValues (x.Expand [ 2; -1 ]) [ 2; 2 ] [ 1.0; 2.0; 1.0; 2.0 ] "expand with -1"
                expectValues (Tensor.broadcastTo (x, [ 1; 2 ])) [ 1; 2 ] [ 1.0; 2.0 ] "broadcastTo"
                let m = f64 (array2D [ [ 1.0; 2.0 ]; [ 3.0; 4.0 ] ])
                expectValues (m.Flip [ 0 ]) [ 2; 2 ] [ 3.0; 4.0; 1.0; 2.0 ] "flip rows"
                expectValues (m.Flip [ 0; 1 ]) [ 2; 2 ] [ 4.0; 3.0; 2.0; 1.0 ] "flip both"
                expectValues (x.Repeat [ 2; 2 ]) [ 2; 4 ] [ 1.0; 2.0; 1.0; 2.0; 1.0; 2.0; 1.0; 2.0 ] "repeat"

                expectValues
                    (m.Repeat [ 1; 2 ])
                    [ 2; 4 ]
                    [ 1.0; 2.0; 1.0; 2.0; 3.0; 4.0; 3.0; 4.0 ]
                    "repeat columns"

                Expect.sequenceEqual (x.Repeat([ 0; 1 ]).Shape) [ 0; 2 ] "repeat 0 times"
            }

            test "cat, split, chunk" {
                let a = f64 (array2D [ [ 1.0; 2.0 ] ])
                let b = f64 (array2D [ [ 3.0; 4.0 ]; [ 5.0; 6.0 ] ])
                expectValues (Tensor.cat [ a; b ]) [ 3; 2 ] [ 1.0; 2.0; 3.0; 4.0; 5.0; 6.0 ] "cat rows"
                let c = Tensor.cat ([ b; b.[*, 0..0] ], 1)
                expectValues c [ 2; 3 ] [ 3.0; 4.0; 3.0; 5.0; 6.0; 5.0 ] "cat columns"
                let x = f64 [| 1.0 .. 5.0 |]
                let pieces = x.Split 2
                Expect.sequenceEqual (pieces |> Array.map (fun p -> p.Shape[0])) [ 2; 2; 1 ] "split by size"
                expectValues pieces[2] [ 1 ] [ 5.0 ] "last piece"
                expectValues (x.Split([ 1; 4 ])[1]) [ 4 ] [ 2.0; 3.0; 4.0; 5.0 ] "split by sizes"
                Expect.sequenceEqual (x.Chunk 2 |> Array.map (fun p -> p.Shape[0])) [ 3; 2 ] "chunk 2"

                Expect.sequenceEqual
                    (x.Chunk 4 |> Array.map (fun p -> p.Shape[0]))
                    [ 2; 2; 1 ]
                    "chunk 4 gives 3 pieces (torch)"
            }

            test "pad with a value, and cropping" {
                let m = f64 (array2D [ [ 1.0; 2.0 ]; [ 3.0; 4.0 ] ])

                expectValues
                    (m.Pad([ 1; 0 ], 9.0))
                    [ 2; 3 ]
                    [ 9.0; 1.0; 2.0; 9.0; 3.0; 4.0 ]
                    "pad last dimension before"

                expectValues
                    (m.Pad [ 0; 0; 0; 1 ])
                    [ 3; 2 ]
                    [ 1.0; 2.0; 3.0; 4.0; 0.0; 0.0 ]
                    "pad first dimension after"

                expectValues (m.Pad [ -1; 1 ]) [ 2; 2 ] [ 2.0; 0.0; 4.0; 0.0 ] "crop and pad"
            }
        ]

let private badInput =
    testList
        "bad input names the op and shapes"
        [
            test "permute" {
                TestUtil.throwsArgument [ "permute"; "[2; 3]" ] (fun () ->
                    (Tensor.zeros [ 2; 3 ]).Permute [ 0 ])

                TestUtil.throwsArgument [ "permute"; "repeat" ] (fun () ->
                    (Tensor.zeros [ 2; 3 ]).Permute [ 1; 1 ])
            }

            test "dimensions out of range" {
                let x = Tensor.zeros [ 2; 3 ]
                TestUtil.throwsArgument [ "flatten"; "dimension 2"; "rank 2" ] (fun () -> x.Flatten(0, 2))
                TestUtil.throwsArgument [ "flatten"; "startDim 1"; "endDim 0" ] (fun () -> x.Flatten(1, 0))
                TestUtil.throwsArgument [ "squeeze"; "dimension -3" ] (fun () -> x.Squeeze -3)
                TestUtil.throwsArgument [ "unsqueeze"; "dimension 4" ] (fun () -> x.Unsqueeze 4)
                TestUtil.throwsArgument [ "flip"; "dimension 5" ] (fun () -> x.Flip [ 5 ])
                TestUtil.throwsArgument [ "cat"; "dimension 2" ] (fun () -> Tensor.cat ([ x; x ], 2))
            }

            test "expand and repeat" {
                TestUtil.throwsArgument [ "expand"; "[2; 3]"; "[2; 4]" ] (fun () ->
                    (Tensor.zeros [ 2; 3 ]).Expand [ 2; 4 ])

                TestUtil.throwsArgument [ "expand"; "[3]" ] (fun () -> (Tensor.zeros [ 2; 3 ]).Expand [ 3 ])

                TestUtil.throwsArgument [ "repeat"; "[2]"; "[2; 3]" ] (fun () ->
                    (Tensor.zeros [ 2; 3 ]).Repeat [ 2 ])
            }

            test "cat, split, chunk" {
                TestUtil.throwsArgument [ "cat"; "tensor 1"; "[2; 4]"; "[2; 3]" ] (fun () ->
                    Tensor.cat [ Tensor.zeros [ 2; 3 ]; Tensor.zeros [ 2; 4 ] ])

                TestUtil.throwsArgument [ "cat"; "no tensors" ] (fun () -> Tensor.cat [])

                TestUtil.throwsArgument [ "split"; "[1; 1]"; "size 3" ] (fun () ->
                    (Tensor.zeros [ 3 ]).Split [ 1; 1 ])

                TestUtil.throwsArgument [ "split"; "piece size 0" ] (fun () -> (Tensor.zeros [ 3 ]).Split 0)
                TestUtil.throwsArgument [ "chunk"; "0" ] (fun () -> (Tensor.zeros [ 3 ]).Chunk 0)
            }

            test "pad" {
                let x = Tensor.zeros [ 2; 3 ]
                TestUtil.throwsArgument [ "pad"; "3 padding amounts" ] (fun () -> x.Pad [ 1; 1; 1 ])

                TestUtil.throwsArgument [ "pad"; "6 padding amounts"; "[2; 3]" ] (fun () ->
                    x.Pad [ 1; 1; 1; 1; 1; 1 ])

                TestUtil.throwsArgument [ "pad"; "negative size" ] (fun () -> x.Pad [ -2; -2 ])
            }
        ]

[<Tests>]
let tests =
    testList "Ops.Shape" [ TorchFixture.tests "shape" resolve; generated; values; badInput ]
