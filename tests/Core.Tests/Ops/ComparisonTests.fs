module Functional.Tests.Ops.ComparisonTests

open Expecto
open Functional
open Functional.Tests

let private a =
    Tensor.create ([| [| 1.0; 2.0; 3.0 |]; [| 4.0; 2.0; 0.0 |] |], Float64)

let private b = Tensor.create ([| 2.0; 2.0; 1.0 |], Float64)

let private bools (t: Tensor) =
    Expect.equal t.Dtype Bool "comparisons give Bool tensors"
    t.ToArray<bool>()

[<Tests>]
let tests =
    testList
        "Ops.Comparison"
        [
            test "tensor against tensor, with broadcasting" {
                Expect.sequenceEqual
                    (bools (Tensor.eq (a, b)))
                    [| false; true; false; false; true; false |]
                    "eq"

                Expect.sequenceEqual (bools (a.Ne b)) [| true; false; true; true; false; true |] "ne"

                Expect.sequenceEqual
                    (bools (Tensor.lt (a, b)))
                    [| true; false; false; false; false; true |]
                    "lt"

                Expect.sequenceEqual (bools (a.Le b)) [| true; true; false; false; true; true |] "le"

                Expect.sequenceEqual
                    (bools (Tensor.gt (a, b)))
                    [| false; false; true; true; false; false |]
                    "gt"

                Expect.sequenceEqual (bools (a.Ge b)) [| false; true; true; true; true; false |] "ge"
                Expect.sequenceEqual (Tensor.lt (b, a)).Shape [| 2; 3 |] "broadcast shape"
            }

            test "tensor against a number, any numeric dtype" {
                Expect.sequenceEqual (bools (a.Gt 2.0)) [| false; false; true; true; false; false |] "gt"

                Expect.sequenceEqual
                    (bools (Tensor.le (a, 2.0)))
                    [| true; true; false; false; true; true |]
                    "le"

                Expect.sequenceEqual (bools (a.Eq 2.0)) [| false; true; false; false; true; false |] "eq"

                Expect.sequenceEqual
                    (bools (Tensor.ne (a, 2.0)))
                    [| true; false; true; true; false; true |]
                    "ne"

                Expect.sequenceEqual (bools (a.Lt 1.5)) [| true; false; false; false; false; true |] "lt"
                Expect.sequenceEqual (bools (a.Ge 4.0)) [| false; false; false; true; false; false |] "ge"
                let ints = Tensor.create ([| 1L; 2L; 3L |], Int64)
                Expect.sequenceEqual (bools (ints.Gt 1.5)) [| false; true; true |] "Int64 against a float"
            }

            test "comparisons carry no derivative and do not disturb the ones around them" {
                let x = Tensor.create ([| -1.0; 2.0; 0.5 |], Float64)

                let g = Diff.grad (fun x -> Tensor.sum (Tensor.where (x.Gt 0.0, x * x, -x))) x

                Expect.sequenceEqual (g.ToArray<float>()) [| -1.0; 4.0; 1.0 |] "gradient through where"
                let y = Diff.grad (fun x -> Tensor.sum (x * (Tensor.lt (x, 1.0)).ToDtype Float64)) x
                Expect.sequenceEqual (y.ToArray<float>()) [| 1.0; 0.0; 1.0 |] "mask is a constant"
            }

            test "shapes that do not broadcast are named" {
                TestUtil.throwsArgument [ "lt"; "[2; 3]"; "[2]" ] (fun () ->
                    Tensor.lt (a, Tensor.zeros ([ 2 ], Float64)))
            }

            test "isFinite is false exactly at NaN and ±Inf, in every float dtype" {
                let values = [| 0.0; -1.5; nan; infinity; -infinity; 1e-310; 3e38 |]

                Expect.sequenceEqual
                    (bools (Tensor.isFinite (Tensor.create (values, Float64))))
                    [| true; true; false; false; false; true; true |]
                    "Float64"

                // 1e-310 is 0 and 3e38 is finite in Float32; 1e39 overflows to Inf.
                Expect.sequenceEqual
                    (bools ((Tensor.create ([| nan; 1e39; 3e38 |], Float32)).IsFinite()))
                    [| false; false; true |]
                    "Float32"

                let m = Tensor.create ([| [| 1.0; nan |]; [| infinity; 2.0 |] |], Float64)
                Expect.sequenceEqual (Tensor.isFinite m).Shape [| 2; 2 |] "the shape is kept"
            }

            test "isFinite of integer, Bool, empty and 0-dimensional tensors" {
                Expect.sequenceEqual
                    (bools (Tensor.isFinite (Tensor.create ([| 1; -7 |], Int32))))
                    [| true; true |]
                    "Int32"

                Expect.sequenceEqual
                    (bools (Tensor.isFinite (Tensor.create ([| 1L |], Int64))))
                    [| true |]
                    "Int64"

                Expect.sequenceEqual
                    (bools (Tensor.isFinite (Tensor.create [ true; false ])))
                    [| true; true |]
                    "Bool"

                Expect.sequenceEqual (Tensor.isFinite (Tensor.zeros [ 0; 3 ])).Shape [| 0; 3 |] "empty"
                Expect.sequenceEqual (bools (Tensor.isFinite (Tensor.scalar nan))) [| false |] "scalar"
            }

            test "allFinite detects any NaN or Inf; empty and integer tensors are finite" {
                Expect.isTrue (Tensor.allFinite (Tensor.create ([| 1.0; -2.0; 1e-310 |], Float64))) "finite"
                Expect.isFalse (Tensor.allFinite (Tensor.create ([| 1.0; nan |], Float64))) "NaN"
                Expect.isFalse (Tensor.allFinite (Tensor.create ([| -infinity; 2.0 |], Float32))) "-Inf"
                Expect.isFalse ((Tensor.scalar infinity).AllFinite()) "Inf scalar"
                Expect.isTrue (Tensor.allFinite (Tensor.zeros [ 0 ])) "empty"
                Expect.isTrue (Tensor.allFinite (Tensor.create ([| System.Int32.MaxValue |], Int32))) "Int32"
                Expect.isTrue (Tensor.allFinite (Tensor.create [ true ])) "Bool"
            }

            test "isFinite and allFinite inside a derivative: a constant mask, no derivative" {
                let x = Tensor.create ([| 1.0; nan; 3.0 |], Float64)

                let g =
                    Diff.grad
                        (fun x ->
                            Expect.isFalse (Tensor.allFinite x) "allFinite sees the primal"
                            // Mask before the square, so the NaN never meets a derivative (0 · NaN is NaN).
                            let safe = Tensor.where (Tensor.isFinite x, x, Tensor.zeros ([ 3 ], Float64))
                            Tensor.sum (safe * safe))
                        x

                Expect.sequenceEqual (g.ToArray<float>()) [| 2.0; 0.0; 6.0 |] "NaN masked out of the gradient"
            }
        ]
