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
        ]
