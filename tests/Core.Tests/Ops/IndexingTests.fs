module Functional.Tests.Ops.IndexingTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Microsoft.FSharp.Core.Operators.OperatorIntrinsics
open Functional
open Functional.Tests
open Functional.Tests.Ops.OpGenerators

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    let cube (x: Tensor) = x * x * x

    match c.Op with
    | "x.[1, 1..2]" -> fun a -> cube a[0].[1, 1..2]
    | "x.[*, 2]" -> fun a -> cube a[0].[*, 2]
    | "x.[1..]" -> fun a -> cube a[0].[1..]
    | "x.[0..1, *, 1]" -> fun a -> cube a[0].[0..1, *, 1]
    | "x.[-1, 1..5, 0..0, *]" -> fun a -> cube a[0].[-1, 1..5, 0..0, *]
    | "narrow" -> fun a -> cube (Tensor.narrow (a[0], c.Int "dim", c.Int "start", c.Int "length"))
    | "indexSelect" -> fun a -> cube (Tensor.indexSelect (a[0], c.Int "dim", a[1]))
    | "indexAdd" -> fun a -> cube (Tensor.indexAdd (a[0], c.Int "dim", a[1], a[2] * a[2]))
    | "gather" -> fun a -> cube (Tensor.gather (a[0], c.Int "dim", a[1]))
    | "scatterAdd" -> fun a -> cube (Tensor.scatterAdd (a[0], c.Int "dim", a[1], a[2] * a[2]))
    | "index" -> fun a -> cube a[0].[a[1]]
    | op -> failwith $"no F# function for fixture op {op}"

let private f64 (data: obj) = Tensor.create (data, Float64)
let private i64 (data: obj) = Tensor.create (data, Int64)

let private expectValues (got: Tensor) (shape: int list) (values: float list) (what: string) =
    Expect.sequenceEqual got.Shape shape $"{what}: shape"
    Expect.sequenceEqual (got.ToArray<float>()) values $"{what}: values"

let private propertyWith config name (gen: Gen<'a>) (check: 'a -> unit) =
    testPropertyWithConfig config name (Prop.forAll (Arb.fromGen gen) check)

let private property name gen check = propertyWith config name gen check

/// One dimension of a 2-D slice: a fixed index or a range with optional (possibly out-of-range) bounds.
type private Spec =
    | Fixed of int
    | Span of int option * int option

let private spec (n: int) =
    let bound = Gen.optionOf (Gen.choose (-2, n + 1))

    Gen.oneof
        [
            Gen.choose (0, n - 1) |> Gen.map Fixed
            Gen.map2 (fun a b -> Span(a, b)) bound bound
        ]

/// F# array slicing of `arr` by two specs (the reference semantics) and the same slice of `x`.
let private sliceBoth (arr: float[,]) (x: Tensor) (s0: Spec) (s1: Spec) : float[] * int list * Tensor =
    match s0, s1 with
    | Span(a, b), Span(c, d) ->
        let r = GetArraySlice2D arr a b c d
        Seq.cast<float> r |> Array.ofSeq, [ Array2D.length1 r; Array2D.length2 r ], x.GetSlice(a, b, c, d)
    | Fixed i, Span(c, d) ->
        let r = GetArraySlice2DFixed1 arr i c d
        r, [ r.Length ], x.GetSlice(i, c, d)
    | Span(a, b), Fixed j ->
        let r = GetArraySlice2DFixed2 arr a b j
        r, [ r.Length ], x.GetSlice(a, b, j)
    | Fixed i, Fixed j -> [| arr[i, j] |], [], x.[i, j]

let private slicing =
    testList
        "F# slicing"
        [
            test "x.[0, 1..3], x.[*, 2], x.[1..] (bounds inclusive)" {
                let x =
                    f64 (
                        array2D
                            [
                                [ 0.0; 1.0; 2.0; 3.0 ]
                                [ 10.0; 11.0; 12.0; 13.0 ]
                                [ 20.0; 21.0; 22.0; 23.0 ]
                            ]
                    )

                expectValues x.[0, 1..3] [ 3 ] [ 1.0; 2.0; 3.0 ] "x.[0, 1..3]"
                expectValues x.[*, 2] [ 3 ] [ 2.0; 12.0; 22.0 ] "x.[*, 2]"
                expectValues x.[1..] [ 2; 4 ] [ 10.0; 11.0; 12.0; 13.0; 20.0; 21.0; 22.0; 23.0 ] "x.[1..]"
                expectValues x.[..0, 2..] [ 1; 2 ] [ 2.0; 3.0 ] "x.[..0, 2..]"
                expectValues x.[1] [ 4 ] [ 10.0; 11.0; 12.0; 13.0 ] "x.[1] (one index on a matrix is a row)"
                expectValues x.[2, 3] [] [ 23.0 ] "x.[2, 3]"
                expectValues x.[-1, -2] [] [ 22.0 ] "negative indices count from the end"
                expectValues x.[1..10, 3] [ 2 ] [ 13.0; 23.0 ] "ranges clamp like F# arrays"
                expectValues x.[2..1, *] [ 0; 4 ] [] "an empty range"
            }

            test "ranks 3 and 4" {
                let x = f64 [| 0.0 .. 23.0 |] |> fun t -> t.Reshape [ 2; 3; 4 ]
                expectValues x.[1, 0..1, 3] [ 2 ] [ 15.0; 19.0 ] "x.[1, 0..1, 3]"
                expectValues x.[*, 2, *].[0] [ 4 ] [ 8.0; 9.0; 10.0; 11.0 ] "x.[*, 2, *]"
                expectValues x.[0, 1, 2] [] [ 6.0 ] "x.[0, 1, 2]"
                let y = x.Reshape [ 2; 3; 2; 2 ]
                expectValues y.[1, 2, *, 0] [ 2 ] [ 20.0; 22.0 ] "x.[1, 2, *, 0]"
                expectValues y.[0, 0, 1, 1] [] [ 3.0 ] "x.[0, 0, 1, 1]"
                Expect.sequenceEqual y.[*, 1.., 0, *].Shape [ 2; 2; 2 ] "x.[*, 1.., 0, *]"
            }

            propertyWith
                { config with maxTest = 40 }
                "2-D slices agree with F# array slicing"
                (gen {
                    let! rows = Gen.choose (1, 4)
                    let! cols = Gen.choose (1, 4)
                    let! s0 = spec rows
                    let! s1 = spec cols
                    return rows, cols, s0, s1
                })
                (fun (rows, cols, s0, s1) ->
                    let arr = Array2D.init rows cols (fun i j -> float (10 * i + j))
                    let expected, shape, got = sliceBoth arr (f64 arr) s0 s1
                    Expect.sequenceEqual got.Shape shape $"shape of {s0}, {s1}"
                    Expect.sequenceEqual (got.ToArray<float>()) expected $"values of {s0}, {s1}"

                    if expected.Length > 0 then
                        GradCheck.check
                            (fun x -> let _, _, y = sliceBoth arr (square x) s0 s1 in y)
                            (f64 arr))
        ]

let private generated =
    testList
        "GradCheck to second order on generated shapes"
        [
            property
                "indexSelect"
                (gen {
                    let! s = shape 1 3
                    let! d = Gen.choose (0, s.Length - 1)
                    let! k = Gen.choose (1, 4)
                    let! idx = indicesOf s[d] [| k |]
                    let! x = valuesOf s
                    return x, d, idx
                })
                (fun (x, d, idx) -> GradCheck.check (fun x -> (square x).IndexSelect(d, idx)) x)

            property
                "indexAdd"
                (gen {
                    let! s = shape 1 3
                    let! d = Gen.choose (0, s.Length - 1)
                    let! k = Gen.choose (1, 4)
                    let! idx = indicesOf s[d] [| k |]
                    let! x = valuesOf s
                    let! src = valuesOf (Array.updateAt d k s)
                    return x, d, idx, src
                })
                (fun (x, d, idx, src) ->
                    GradCheck.checkArgs
                        (fun a -> (square a[0]).IndexAdd(d, a[1], square a[2]))
                        [| x; idx; src |])

            property
                "gather"
                (gen {
                    let! s = shape 1 3
                    let! d = Gen.choose (0, s.Length - 1)

                    let! sizes =
                        s
                        |> Array.mapi (fun k n -> if k = d then Gen.choose (1, 3) else Gen.choose (1, n))
                        |> Gen.sequenceToArray

                    let! idx = indicesOf s[d] sizes
                    let! x = valuesOf s
                    return x, d, idx
                })
                (fun (x, d, idx) -> GradCheck.checkArgs (fun a -> (square a[0]).Gather(d, a[1])) [| x; idx |])

            property
                "scatterAdd (src may be larger than the indices)"
                (gen {
                    let! s = shape 1 3
                    let! d = Gen.choose (0, s.Length - 1)

                    let! sizes =
                        s
                        |> Array.mapi (fun k n -> if k = d then Gen.choose (1, 3) else Gen.choose (1, n))
                        |> Gen.sequenceToArray

                    let! extra = Gen.arrayOfLength s.Length (Gen.choose (0, 1))
                    let! idx = indicesOf s[d] sizes
                    let! x = valuesOf s
                    let! src = valuesOf (Array.map2 (+) sizes extra)
                    return x, d, idx, src
                })
                (fun (x, d, idx, src) ->
                    GradCheck.checkArgs
                        (fun a -> (square a[0]).ScatterAdd(d, a[1], square a[2]))
                        [| x; idx; src |])

            property
                "index by an index tensor"
                (gen {
                    let! s = shape 1 3
                    let! ishape = shape 0 2
                    let! idx = indicesOf s[0] ishape
                    let! x = valuesOf s
                    return x, idx
                })
                (fun (x, idx) ->
                    let y = x.[idx]
                    Expect.sequenceEqual y.Shape (Array.append idx.Shape x.Shape[1..]) "shape"
                    GradCheck.check (fun x -> (square x).[idx]) x)

            property
                "narrow"
                (gen {
                    let! s = shape 1 3
                    let! d = Gen.choose (0, s.Length - 1)
                    let! start = Gen.choose (0, s[d] - 1)
                    let! length = Gen.choose (1, s[d] - start)
                    let! x = valuesOf s
                    return x, d, start, length
                })
                (fun (x, d, start, length) ->
                    GradCheck.check (fun x -> (square x).Narrow(d, start, length)) x)
        ]

let private values =
    testList
        "values"
        [
            test "indexSelect and indexAdd" {
                let x = f64 (array2D [ [ 1.0; 2.0; 3.0 ]; [ 4.0; 5.0; 6.0 ] ])

                expectValues
                    (x.IndexSelect(1, i64 [| 2; 0; 2 |]))
                    [ 2; 3 ]
                    [ 3.0; 1.0; 3.0; 6.0; 4.0; 6.0 ]
                    "indexSelect"

                let src = f64 (array2D [ [ 10.0; 20.0; 30.0 ]; [ 100.0; 200.0; 300.0 ] ])

                expectValues
                    (x.IndexAdd(0, i64 [| 1; 1 |], src))
                    [ 2; 3 ]
                    [ 1.0; 2.0; 3.0; 114.0; 225.0; 336.0 ]
                    "indexAdd repeats add up"

                expectValues (x.IndexSelect(0, i64 [| 1 |]).[0]) [ 3 ] [ 4.0; 5.0; 6.0 ] "row select"
                expectValues x.[i64 [| 1; 0 |]] [ 2; 3 ] [ 4.0; 5.0; 6.0; 1.0; 2.0; 3.0 ] "x.[indices]"

                expectValues
                    (Tensor.index (x, Tensor.create ([| 1 |], Int32)))
                    [ 1; 3 ]
                    [ 4.0; 5.0; 6.0 ]
                    "Int32 indices"
            }

            test "gather and scatterAdd" {
                let x = f64 (array2D [ [ 1.0; 2.0 ]; [ 3.0; 4.0 ] ])
                let idx = i64 (array2D [ [ 0; 0 ]; [ 1; 0 ] ])
                expectValues (x.Gather(1, idx)) [ 2; 2 ] [ 1.0; 1.0; 4.0; 3.0 ] "gather (torch docs example)"
                let src = f64 (array2D [ [ 10.0; 20.0 ]; [ 30.0; 40.0 ] ])
                expectValues (x.ScatterAdd(1, idx, src)) [ 2; 2 ] [ 31.0; 2.0; 43.0; 34.0 ] "scatterAdd"

                expectValues
                    ((Tensor.zeros ([ 3 ], Float64)).ScatterAdd(0, i64 [| 2; 2; 0 |], f64 [| 1.0; 2.0; 3.0 |]))
                    [ 3 ]
                    [ 3.0; 0.0; 3.0 ]
                    "scatterAdd 1-D"
            }

            test "narrow" {
                let x = f64 [| 0.0 .. 5.0 |]
                expectValues (x.Narrow(0, 2, 3)) [ 3 ] [ 2.0; 3.0; 4.0 ] "narrow"
                expectValues (x.Narrow(0, 6, 0)) [ 0 ] [] "an empty narrow at the end"
            }

            test "gather's gradient scatters, scatterAdd's gradient gathers" {
                let x = f64 [| 1.0; 2.0; 3.0 |]
                let idx = i64 [| 2; 2; 0 |]

                let g =
                    Diff.grad (fun x -> Tensor.sum (x.Gather(0, idx) * f64 [| 1.0; 10.0; 100.0 |])) x

                expectValues g [ 3 ] [ 100.0; 0.0; 11.0 ] "gather gradient"

                let h =
                    Diff.grad
                        (fun s -> Tensor.sum ((Tensor.zeros ([ 3 ], Float64)).ScatterAdd(0, idx, s) * x))
                        x

                expectValues h [ 3 ] [ 3.0; 3.0; 1.0 ] "scatterAdd gradient"
            }
        ]

let private badInput =
    testList
        "bad input names the op and shapes"
        [
            test "integer indices out of range" {
                let x = Tensor.zeros [ 2; 3 ]
                TestUtil.throwsArgument [ "slice"; "index 3"; "dimension 1 of size 3" ] (fun () -> x.[0, 3])

                TestUtil.throwsArgument [ "slice"; "index -3"; "dimension 0 of size 2" ] (fun () ->
                    x.[-3, 0..1])

                TestUtil.throwsArgument [ "slice"; "3 indices"; "[2; 3]" ] (fun () -> x.[0, 0, 0])

                TestUtil.throwsArgument [ "narrow"; "start 2"; "length 2"; "size 3" ] (fun () ->
                    x.Narrow(1, 2, 2))

                TestUtil.throwsArgument [ "narrow"; "dimension 2" ] (fun () -> x.Narrow(2, 0, 1))
            }

            test "index tensors out of range or of the wrong dtype" {
                let x = Tensor.zeros [ 2; 3 ]

                TestUtil.throwsArgument
                    [ "indexSelect"; "index 3"; "dimension 1 (size 3)"; "[2; 3]" ]
                    (fun () -> x.IndexSelect(1, i64 [| 0; 3 |]))

                TestUtil.throwsArgument [ "indexSelect"; "index -1" ] (fun () ->
                    x.IndexSelect(1, i64 [| -1 |]))

                TestUtil.throwsArgument [ "indexSelect"; "Float32"; "Int64" ] (fun () ->
                    x.IndexSelect(1, Tensor.create [| 0.0 |]))

                TestUtil.throwsArgument [ "indexSelect"; "[1; 1]"; "1-dimensional" ] (fun () ->
                    x.IndexSelect(1, i64 (array2D [ [ 0 ] ])))

                TestUtil.throwsArgument [ "index"; "index 2"; "dimension 0 (size 2)" ] (fun () ->
                    x.[i64 [| 2 |]])

                TestUtil.throwsArgument [ "gather"; "index 5" ] (fun () ->
                    x.Gather(1, i64 (array2D [ [ 5 ] ])))

                TestUtil.throwsArgument [ "scatterAdd"; "index 2" ] (fun () ->
                    x.ScatterAdd(0, i64 (array2D [ [ 2 ] ]), Tensor.zeros [ 1; 1 ]))
            }

            test "index tensor shapes" {
                let x = Tensor.zeros [ 2; 3 ]

                TestUtil.throwsArgument [ "gather"; "[3; 1]"; "[2; 3]" ] (fun () ->
                    x.Gather(1, i64 (array2D [ [ 0 ]; [ 0 ]; [ 0 ] ])))

                TestUtil.throwsArgument [ "gather"; "[2]"; "same rank" ] (fun () ->
                    x.Gather(1, i64 [| 0; 1 |]))

                TestUtil.throwsArgument [ "scatterAdd"; "src"; "[1; 1]" ] (fun () ->
                    x.ScatterAdd(1, i64 (array2D [ [ 0; 1 ] ]), Tensor.zeros [ 1; 1 ]))

                TestUtil.throwsArgument [ "indexAdd"; "src has shape [2; 2]"; "[2; 3]" ] (fun () ->
                    x.IndexAdd(0, i64 [| 0; 1 |], Tensor.zeros [ 2; 2 ]))
            }
        ]

[<Tests>]
let tests =
    testList "Ops.Indexing" [ TorchFixture.tests "indexing" resolve; slicing; generated; values; badInput ]
