module Functional.Tests.Ops.ReductionTests

open System
open Expecto
open FsCheck.FSharp
open Functional
open Functional.Tests
open Functional.Tests.Ops.OpGen

let private dimOf (c: TorchFixture.FixtureCase) =
    if c.Has "dim" then Some(c.Int "dim") else None

let private keepOf (c: TorchFixture.FixtureCase) =
    if c.Has "keepDim" then c.Bool "keepDim" else false

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    let keep = keepOf c

    match c.Op, dimOf c with
    | "mean", Some d -> fun a -> Tensor.mean (a[0], d, keep)
    | "variance", None -> fun a -> Tensor.variance (a[0], unbiased = c.Bool "unbiased")
    | "variance", Some d -> fun a -> a[0].Variance(d, keep, c.Bool "unbiased")
    | "std", None -> fun a -> a[0].Std(unbiased = c.Bool "unbiased")
    | "std", Some d -> fun a -> Tensor.std (a[0], d, keep, c.Bool "unbiased")
    | "max", None -> fun a -> Tensor.max a[0]
    | "max", Some d -> fun a -> a[0].Max(d, keep)
    | "min", None -> fun a -> a[0].Min()
    | "min", Some d -> fun a -> Tensor.min (a[0], d, keep)
    | "logsumexp", None -> fun a -> Tensor.logsumexp a[0]
    | "logsumexp", Some d -> fun a -> a[0].Logsumexp(d, keep)
    | "prod", None -> fun a -> Tensor.prod a[0]
    | "prod", Some d -> fun a -> a[0].Prod(d, keep)
    | "softmax", Some d -> fun a -> Tensor.softmax (a[0], d)
    | "logSoftmax", Some d -> fun a -> a[0].LogSoftmax d
    | op, _ -> failwith $"no F# function for fixture op {op}"

/// Reductions over all elements, checked on any shape (rank 0-3).
let private overAll: (string * (Tensor -> Tensor)) list =
    [
        "sum", (fun x -> Tensor.sum x)
        "sum of squares", (fun x -> Tensor.sum (x * x))
        "mean", (fun x -> Tensor.mean x)
        "max", (fun x -> Tensor.max x)
        "min", (fun x -> x.Min())
        "logsumexp", (fun x -> Tensor.logsumexp x)
        "prod", (fun x -> Tensor.prod x)
        "variance (biased)", (fun x -> Tensor.variance (x, unbiased = false))
    ]

/// Reductions along a dimension (negative half of the time), with and without keepDim.
let private alongDim: (string * (int -> bool -> Tensor -> Tensor)) list =
    [
        "sum", (fun d k x -> Tensor.sum (x, d, k))
        "sum of squares", (fun d k x -> (x * x).Sum(d, k))
        "mean", (fun d k x -> Tensor.mean (x, d, k))
        "variance (biased)", (fun d k x -> x.Variance(d, k, false))
        "max", (fun d k x -> Tensor.max (x, d, k))
        "min", (fun d k x -> x.Min(d, k))
        "logsumexp", (fun d k x -> Tensor.logsumexp (x, d, k))
        "prod", (fun d k x -> x.Prod(d, k))
        "softmax", (fun d _ x -> Tensor.softmax (x, d))
        "logSoftmax", (fun d _ x -> x.LogSoftmax d)
    ]

/// Shapes whose reduced dimension has at least 2 elements (unbiased variance, std away from 0).
let private atLeastTwo =
    gen {
        let! (s, d), sd = Gen.zip shapeAndDim seed
        let i = if d < 0 then d + s.Length else d
        return List.mapi (fun j n -> if j = i then n + 1 else n) s, d, sd
    }

let private fails (fragments: string list) (f: unit -> Tensor) = TestUtil.throwsArgument fragments f

let private m =
    Tensor.create ([| [| 1.0; 5.0; 2.0 |]; [| 7.0; 0.0; 3.0 |] |], Float64)

let private arr (t: Tensor) = t.ToArray<float>()

[<Tests>]
let tests =
    testList
        "Ops.Reductions"
        [
            TorchFixture.tests "reductions" resolve

            testList
                "GradCheck to second order"
                [
                    for name, f in overAll ->
                        property $"{name} over all elements" 8 (Gen.zip shape seed) (fun (s, sd) ->
                            GradCheck.check f (normal sd s))
                    for name, f in alongDim ->
                        property
                            $"{name} along a dimension"
                            8
                            (Gen.zip3 shapeAndDim (Gen.elements [ false; true ]) seed)
                            (fun ((s, d), k, sd) -> GradCheck.check (f d k) (normal sd s))
                    yield
                        property "unbiased variance and std along a dimension" 8 atLeastTwo (fun (s, d, sd) ->
                            let x = normal sd s
                            GradCheck.check (fun x -> Tensor.variance (x, d)) x
                            GradCheck.check (fun x -> Tensor.std (x, d, unbiased = true)) x)
                    yield
                        test "prod with zeros (one, two and three in a slice)" {
                            let x =
                                Tensor.create (
                                    [|
                                        [| 0.0; 2.0; -1.5; 0.7 |]
                                        [| 0.0; 3.0; 0.0; 1.2 |]
                                        [| 0.0; 0.0; 0.0; -0.4 |]
                                        [| 0.9; 1.1; -2.0; 0.6 |]
                                    |],
                                    Float64
                                )

                            GradCheck.check (fun x -> Tensor.prod (x, 1)) x
                            GradCheck.check (fun x -> Tensor.prod (x, 0, true)) x

                            GradCheck.check
                                (fun x -> Tensor.prod x)
                                (Tensor.create ([| 0.0; 2.0; 0.0; 3.0 |], Float64))
                        }
                ]

            testList
                "values"
                [
                    test "argmax and argmin give Int64 indices, flattened or along a dimension" {
                        Expect.equal (Tensor.argmax m).Dtype Int64 "dtype"
                        Expect.equal ((Tensor.argmax m).ToArray<int64>()) [| 3L |] "argmax flattened"
                        Expect.equal ((m.Argmin()).ToArray<int64>()) [| 4L |] "argmin flattened"
                        Expect.equal ((Tensor.argmax (m, 1)).ToArray<int64>()) [| 1L; 0L |] "argmax dim 1"
                        Expect.sequenceEqual (Tensor.argmin (m, -2, true)).Shape [| 1; 3 |] "keepDim shape"
                        Expect.equal ((m.Argmin(0, true)).ToArray<int64>()) [| 0L; 1L; 0L |] "argmin dim 0"
                    }

                    test "max and min values along a dimension, with keepDim" {
                        Expect.sequenceEqual (arr (Tensor.max (m, 1))) [| 5.0; 7.0 |] "max"
                        Expect.sequenceEqual (Tensor.min (m, 0, true)).Shape [| 1; 3 |] "shape"
                        Expect.sequenceEqual (arr (m.Min(0, true))) [| 1.0; 0.0; 2.0 |] "min"
                    }

                    test "max over all elements shares the derivative among ties; along a dim it picks one" {
                        let x = Tensor.create ([| [| 3.0; 1.0 |]; [| 3.0; 3.0 |] |], Float64)

                        Expect.sequenceEqual
                            (arr (Diff.grad Tensor.max x))
                            [| 1.0 / 3.0; 0.0; 1.0 / 3.0; 1.0 / 3.0 |]
                            "all"

                        let g = arr (Diff.grad (fun x -> Tensor.sum (Tensor.max (x, 1))) x)
                        Expect.equal (Array.sum g) 2.0 "one unit per row"
                        Expect.equal g[0] 1.0 "row 0 picks its only maximum"
                    }

                    test "variance, std and mean along a dimension" {
                        TestUtil.expectClose
                            1e-12
                            (Tensor.mean (m, 1))
                            (Tensor.create ([| 8.0 / 3.0; 10.0 / 3.0 |], Float64))
                            "mean"

                        let v = arr (Tensor.variance (m, 1))
                        Expect.floatClose Accuracy.veryHigh v[0] (13.0 / 3.0) "unbiased"
                        let b = arr (m.Variance(1, unbiased = false))
                        Expect.floatClose Accuracy.veryHigh b[1] (74.0 / 9.0) "biased"

                        Expect.floatClose
                            Accuracy.veryHigh
                            ((Tensor.std m).ToDouble())
                            (sqrt 6.8)
                            "std of all"
                    }

                    test "logsumexp, softmax and logSoftmax are stable for large inputs" {
                        let x = Tensor.create ([| 1000.0; 1000.0; -1000.0 |], Float64)

                        Expect.floatClose
                            Accuracy.veryHigh
                            ((Tensor.logsumexp x).ToDouble())
                            (1000.0 + log 2.0)
                            "logsumexp"

                        let s = arr (Tensor.softmax x)
                        Expect.sequenceEqual s [| 0.5; 0.5; 0.0 |] "softmax"
                        let l = arr (Tensor.logSoftmax x)
                        Expect.floatClose Accuracy.veryHigh l[0] (-(log 2.0)) "logSoftmax"
                        Expect.floatClose Accuracy.veryHigh l[2] (-2000.0 - log 2.0) "no -inf"
                        let g = arr (Diff.grad (fun x -> (Tensor.logSoftmax x).Sum()) x)
                        Expect.isTrue (g |> Array.forall Double.IsFinite) "finite gradient"
                    }

                    test
                        "softmax and logSoftmax over short last dimensions (separate kernels) equal libtorch's" {
                        // [rows; < 16] with >= 512 elements takes the max-subtract-exp-sum path; 1e3 scales
                        // check its stability, -inf entries its masking behaviour
                        for rows, cols, dtype, scale in
                            [
                                64, 10, Float32, 1.0
                                40, 13, Float32, 1e3
                                100, 7, Float64, 1.0
                                9, 64, Float32, 1.0
                            ] do
                            let values =
                                Array.init (rows * cols) (fun i ->
                                    if i % 37 = 5 then
                                        Double.NegativeInfinity
                                    else
                                        scale * sin (float i * 1.7))

                            let x = Tensor.create(values, dtype).Reshape [ rows; cols ]

                            let reference =
                                TorchSharp.torch
                                    .tensor(values, dimensions = ReadOnlySpan [| int64 rows; int64 cols |])
                                    .to_type(
                                        if dtype = Float32 then
                                            TorchSharp.torch.ScalarType.Float32
                                        else
                                            TorchSharp.torch.ScalarType.Float64
                                    )

                            let expectSame (what: string) (ours: Tensor) (theirs: TorchSharp.torch.Tensor) =
                                let a = ours.ToArray<float>()

                                let b =
                                    theirs
                                        .to_type(TorchSharp.torch.ScalarType.Float64)
                                        .data<float>()
                                        .ToArray()

                                let tolerance = if dtype = Float32 then 1e-6 else 1e-14

                                for i in 0 .. a.Length - 1 do
                                    if
                                        not (a[i] = b[i] || abs (a[i] - b[i]) <= tolerance * (1.0 + abs b[i]))
                                    then
                                        failtestf
                                            "%s [%d; %d] %A: element %d is %g, libtorch %g"
                                            what
                                            rows
                                            cols
                                            dtype
                                            i
                                            a[i]
                                            b[i]

                            expectSame "softmax" (Tensor.softmax (x, -1)) (reference.softmax -1L)
                            expectSame "logSoftmax" (Tensor.logSoftmax (x, -1)) (reference.log_softmax -1L)
                    }

                    test "prod's Hessian with two zeros is exact (PyTorch 1.13 gives 0 here)" {
                        let h =
                            arr (Diff.hessian Tensor.prod (Tensor.create ([| 0.0; 2.0; 0.0; 3.0 |], Float64)))

                        Expect.equal h[2] 6.0 "∂²/∂x₀∂x₂ = x₁x₃"
                        Expect.equal h[8] 6.0 "symmetric"
                        Expect.equal (Array.sumBy abs h) 12.0 "no other entries"
                    }

                    test "a rank-0 tensor reduces along dimension 0 or -1" {
                        let s = Tensor.scalar (2.5, Float64)
                        Expect.equal ((Tensor.max (s, -1)).ToDouble()) 2.5 "max"
                        Expect.equal ((Tensor.softmax s).ToDouble()) 1.0 "softmax"
                        Expect.equal (Tensor.mean (s, 0)).Shape [||] "shape"
                    }
                ]

            testList
                "bad input"
                [
                    test "dimensions out of range are named with the valid range" {
                        fails [ "max"; "dimension 2"; "rank 2"; "[-2, 1]" ] (fun () -> Tensor.max (m, 2))
                        fails [ "softmax"; "dimension -3" ] (fun () -> Tensor.softmax (m, -3))
                        fails [ "variance"; "dimension 5" ] (fun () -> Tensor.variance (m, 5))
                        fails [ "argmin"; "dimension 3" ] (fun () -> Tensor.argmin (m, 3))
                        fails [ "mean"; "dimension -4" ] (fun () -> Tensor.mean (m, -4))
                    }

                    test "unbiased variance of one element says what to do" {
                        fails [ "variance"; "1 element"; "unbiased = false" ] (fun () ->
                            Tensor.std (Tensor.ones ([ 1; 3 ], Float64), 0))
                    }

                    test "max, min and argmax of an empty tensor fail clearly" {
                        let e = Tensor.zeros ([ 0; 2 ], Float64)
                        fails [ "max"; "no elements" ] (fun () -> Tensor.max e)
                        fails [ "min"; "dimension 0"; "empty" ] (fun () -> Tensor.min (e, 0))
                        fails [ "argmax"; "no elements" ] (fun () -> Tensor.argmax e)
                    }

                    test "float-only reductions reject integer tensors" {
                        let ints = Tensor.create ([| 1L; 2L |], Int64)
                        fails [ "softmax"; "Int64" ] (fun () -> Tensor.softmax ints)
                        fails [ "logsumexp"; "Int64" ] (fun () -> Tensor.logsumexp ints)
                        fails [ "variance"; "Int64" ] (fun () -> Tensor.variance ints)
                    }
                ]
        ]
