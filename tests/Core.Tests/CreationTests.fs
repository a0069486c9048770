module Functional.Tests.CreationTests

open Expecto
open Functional
open Functional.Tests

[<Tests>]
let tests =
    testList
        "Tensor creation"
        [
            test "create from a jagged array, a 2-D array and nested lists gives the same tensor" {
                let a = Tensor.create [| [| 1.0; 2.0 |]; [| 3.0; 4.0 |] |]
                let b = Tensor.create (array2D [ [ 1.0; 2.0 ]; [ 3.0; 4.0 ] ])
                let c = Tensor.create [ [ 1; 2 ]; [ 3; 4 ] ]
                Expect.sequenceEqual a.Shape [| 2; 2 |] "shape"
                Expect.isTrue (Tensor.allclose (a, b)) "array2D"
                Expect.isTrue (Tensor.allclose (a, c)) "lists"
                Expect.equal a.Dtype Float32 "default dtype"
            }

            test "ragged data is rejected with the offending item" {
                TestUtil.throwsArgument [ "ragged" ] (fun () -> Tensor.create [| [| 1.0 |]; [| 2.0; 3.0 |] |])
            }

            test "eye, arange and linspace" {
                Expect.sequenceEqual
                    ((Tensor.eye 3).ToArray<float>())
                    [| 1.; 0.; 0.; 0.; 1.; 0.; 0.; 0.; 1. |]
                    "eye"

                Expect.sequenceEqual
                    ((Tensor.arange (1.0, 2.0, 0.25)).ToArray<float>())
                    [| 1.0; 1.25; 1.5; 1.75 |]
                    "arange"

                Expect.sequenceEqual ((Tensor.arange 4).ToArray<float>()) [| 0.; 1.; 2.; 3. |] "arange n"

                Expect.sequenceEqual
                    ((Tensor.linspace (0.0, 1.0, 5, Float64)).ToArray<float>())
                    [| 0.; 0.25; 0.5; 0.75; 1.0 |]
                    "linspace"

                Expect.sequenceEqual ((Tensor.eye (2, 3)).Shape) [| 2; 3 |] "rectangular eye"
            }

            test "the same Rng gives bit-identical random tensors, a split key different ones" {
                let r = Rng.seed 42
                let a = Tensor.randn (r, [ 100 ])
                let b = Tensor.randn (r, [ 100 ])
                let c = Tensor.randn (fst (Rng.split r), [ 100 ])
                Expect.sequenceEqual (a.ToArray<float32>()) (b.ToArray<float32>()) "same key"
                Expect.isFalse (Tensor.allclose (a, c)) "split key"
            }

            test "random distributions have the right range and moments" {
                let r = Rng.seed 1
                let u = (Tensor.rand (r, [ 20000 ], Float64)).ToArray<float>()
                Expect.isTrue (Array.forall (fun v -> v >= 0.0 && v < 1.0) u) "rand in [0, 1)"
                Expect.floatClose { absolute = 0.01; relative = 0.0 } (Array.average u) 0.5 "rand mean"
                let n = (Tensor.randn (r, [ 20000 ], Float64)).ToArray<float>()
                Expect.floatClose { absolute = 0.03; relative = 0.0 } (Array.average n) 0.0 "randn mean"
                let i = (Tensor.randint (r, 3, 7, [ 1000 ])).ToArray<int64>()
                Expect.equal (Array.min i, Array.max i) (3L, 6L) "randint range"
                let b = (Tensor.bernoulli (r, 0.25, [ 20000 ])).ToArray<float>()
                Expect.floatClose { absolute = 0.01; relative = 0.0 } (Array.average b) 0.25 "bernoulli mean"
            }

            test "ToString shows values, shape, dtype and derivative state" {
                let s = (Tensor.create [| 1.5; 2.0 |]).ToString()
                Expect.stringContains s "1.5" "values"
                Expect.stringContains s "shape=[2]" "shape"
                Expect.stringContains s "dtype=Float32" "dtype"
                let mutable inner = ""

                Diff.grad
                    (fun x ->
                        inner <- x.ToString()
                        Tensor.sum x)
                    (Tensor.create [| 1.0 |])
                |> ignore

                Expect.stringContains inner "derivative=reverse" "inside grad"
            }

            test "ToDouble needs one element and says so" {
                TestUtil.throwsInvalid [ "ToDouble"; "[2]" ] (fun () -> (Tensor.zeros [ 2 ]).ToDouble())
            }

            test "ToDouble reads every dtype's value exactly" {
                let read (t: Tensor) = t.ToDouble()
                Expect.equal (read (Tensor.create ([| 0.1f |], Float32))) (float 0.1f) "Float32, widened"
                Expect.equal (read (Tensor.create ([| 0.1 |], Float64))) 0.1 "Float64"
                Expect.equal (read (Tensor.create ([| 1L <<< 40 |], Int64))) (float (1L <<< 40)) "Int64"
                Expect.equal (read (Tensor.create ([| -7 |], Int32))) -7.0 "Int32"
                Expect.equal (read (Tensor.create ([| true |], Bool))) 1.0 "Bool"
                Expect.isTrue (System.Double.IsNaN(read (Tensor.create ([| nanf |], Float32)))) "NaN"
                Expect.equal (read (Tensor.create ([| infinityf |], Float32))) infinity "infinity"

                Expect.equal
                    (read (Tensor.reshape (Tensor.create [| 2.5f |], [ 1; 1 ])))
                    2.5
                    "a [1; 1] tensor"
            }

            test "dtype conversion is differentiable between float types" {
                let g =
                    Diff.grad
                        (fun x -> Tensor.sum (Tensor.toDtype (x, Float32) * 3.0))
                        (Tensor.create ([| 1.0 |], Float64))

                Expect.equal g.Dtype Float64 "gradient in the input dtype"
                TestUtil.expectScalar 1e-6 (g.Reshape []) 3.0 "d/dx 3x"
            }

            test "bad arguments are reported" {
                TestUtil.throwsArgument [ "Tensor.randint"; "empty" ] (fun () ->
                    Tensor.randint (Rng.seed 0, 5, 5, [ 2 ]))

                TestUtil.throwsArgument [ "Tensor.bernoulli"; "1.5" ] (fun () ->
                    Tensor.bernoulli (Rng.seed 0, 1.5, [ 2 ]))

                TestUtil.throwsArgument [ "Tensor.arange"; "step" ] (fun () -> Tensor.arange (0.0, 1.0, 0.0))
                TestUtil.throwsArgument [ "negative dimension"; "[2; -1]" ] (fun () -> Tensor.zeros [ 2; -1 ])
            }
        ]
