module Functional.Tests.Layers.DropoutTests

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.Layers.LayerTestUtil

[<Tests>]
let tests =
    testList
        "Layers.Dropout"
        [
            test "training zeroes about `rate` of the elements and scales the rest by 1/(1 - rate)" {
                let m = Layers.dropout 0.25

                let y, _ =
                    Model.applyTrain m Params.empty Params.empty (Rng.seed 4) (Tensor.ones [ 4; 1000 ])

                let values = y.ToArray<float32>()
                let zeros = values |> Array.filter (fun v -> v = 0.0f) |> Array.length

                Expect.isTrue
                    (values |> Array.forall (fun v -> v = 0.0f || abs (v - 4.0f / 3.0f) < 1e-6f))
                    "0 or 1/(1 - rate)"

                Expect.isTrue
                    (abs (float zeros / 4000.0 - 0.25) < 0.03)
                    $"about a quarter zeroed, got {zeros}/4000"
            }

            test "evaluation is the identity; the same key gives the same mask" {
                let m = Layers.dropout 0.5
                let x = Tensor.randn (Rng.seed 1, [ 3; 7 ])
                TestUtil.expectClose 0.0 (Model.apply m Params.empty x) x "identity"
                let a, _ = Model.applyTrain m Params.empty Params.empty (Rng.seed 9) x
                let b, _ = Model.applyTrain m Params.empty Params.empty (Rng.seed 9) x
                let c, _ = Model.applyTrain m Params.empty Params.empty (Rng.seed 10) x
                TestUtil.expectClose 0.0 a b "same key, same mask"
                Expect.isFalse (Tensor.allclose (a, c)) "another key, another mask"
            }

            test "layers of a sequential get different keys" {
                let m = Layers.dropout 0.5 => Layers.dropout 0.5
                let inner = Layers.dropout 0.5

                let y, _ =
                    Model.applyTrain m Params.empty Params.empty (Rng.seed 2) (Tensor.ones [ 1; 400 ])

                let v = y.ToArray<float32>()
                let kept = v |> Array.filter (fun e -> e > 0.0f) |> Array.length
                // Independent masks keep about a quarter; the same mask twice would keep about half.
                Expect.isTrue (abs (float kept / 400.0 - 0.25) < 0.08) $"kept {kept}/400"
                ignore inner
            }

            test "GradCheck in training mode (fixed mask)" {
                gradCheckWith
                    (Mode.Train(Rng.seed 3))
                    (Layers.dropout 0.3)
                    [ 5 ]
                    (Tensor.randn (Rng.seed 1, [ 2; 5 ], Float64))
            }

            test "a rate outside [0, 1] is an error" {
                TestUtil.throwsArgument [ "dropout"; "1.5" ] (fun () -> Layers.dropout 1.5)
            }
        ]
