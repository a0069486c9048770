module Functional.Tests.Optim.TransformTests

open Expecto
open Functional
open Functional.Tests.Optim.Problems

let private tree (a: float list) (b: float list) =
    Params.ofList
        [
            "layer.weight", Tensor.create (a, Float64)
            "layer.bias", Tensor.create (b, Float64)
        ]

let private apply (opt: Optimizer) (g: Params) (p: Params) = fst (opt.Update g (opt.Init p) p)

[<Tests>]
let tests =
    testList
        "Optim transforms"
        [
            test "clipByGlobalNorm bounds the global norm exactly and keeps small updates" {
                let g = tree [ 3.0; 4.0 ] [ 12.0 ]
                let clipped = apply (Transform.clipByGlobalNorm 1.0) g g
                Expect.floatClose Accuracy.veryHigh ((Params.norm clipped).ToDouble()) 1.0 "norm is the bound"
                expectRelative 1e-14 (flat clipped) [| 3.0 / 13.0; 4.0 / 13.0; 12.0 / 13.0 |] "direction kept"
                let small = apply (Transform.clipByGlobalNorm 20.0) g g
                expectRelative 0.0 (flat small) (flat g) "unchanged within the bound"
            }

            test "clipByValue clamps every element" {
                let g = tree [ -3.0; 0.5 ] [ 2.0 ]

                expectRelative
                    0.0
                    (flat (apply (Transform.clipByValue 1.0) g g))
                    [| -1.0; 0.5; 1.0 |]
                    "clamped"
            }

            test "chain applies the parts in order and keeps each state" {
                let g = tree [ 1.0; -2.0 ] [ 4.0 ]

                let opt =
                    Transform.chain [ Transform.scale 2.0; Transform.clipByValue 3.0; Transform.scale -1.0 ]

                expectRelative 0.0 (flat (apply opt g g)) [| -2.0; 3.0; -3.0 |] "scale, clip, negate"

                let adam =
                    Transform.chain [ Transform.scaleByAdam (); Transform.scaleByLearningRate 0.1 ]

                Expect.equal
                    (Params.paths (adam.Init g))
                    [
                        "0.count"
                        "0.mu.layer.weight"
                        "0.mu.layer.bias"
                        "0.nu.layer.weight"
                        "0.nu.layer.bias"
                    ]
                    "state paths"
            }

            test "maskedBy applies the rule to the selected tensors only" {
                let p = tree [ 1.0; 2.0 ] [ 3.0 ]
                let g = tree [ 0.0; 0.0 ] [ 0.0 ]

                let decay =
                    Transform.maskedBy (
                        (fun path _ -> path.EndsWith "weight"),
                        Transform.addDecayedWeights 0.5
                    )

                expectRelative 0.0 (flat (apply decay g p)) [| 0.5; 1.0; 0.0 |] "weights decayed, bias not"

                let momentum =
                    Transform.maskedBy ((fun path _ -> path.EndsWith "bias"), Transform.trace 0.9)

                Expect.equal
                    (Params.paths (momentum.Init p))
                    [ "inner.count"; "inner.trace.layer.bias" ]
                    "state for the selected tensors"
            }

            test "partition gives each group its own rule" {
                let p = tree [ 1.0; 2.0 ] [ 3.0 ]
                let g = tree [ 1.0; 1.0 ] [ 1.0 ]

                let label (path: string) (_: Tensor) =
                    if path.EndsWith "bias" then "bias" else "weight"

                let opt =
                    Transform.partition (label, [ "weight", Optim.sgd 0.1; "bias", Optim.sgd 1.0 ])

                expectRelative 1e-15 (flat (apply opt g p)) [| -0.1; -0.1; -1.0 |] "two learning rates"
                let missing = Transform.partition (label, [ "weight", Optim.sgd 0.1 ])

                Expect.throwsT<System.ArgumentException>
                    (fun () -> missing.Init p |> ignore)
                    "a label without a rule"
            }

            test "accumulate averages k gradients into one step" {
                let p = tree [ 1.0; 2.0 ] [ 3.0 ]
                let g1 = tree [ 1.0; 2.0 ] [ 3.0 ]
                let g2 = tree [ 3.0; 0.0 ] [ -1.0 ]
                let opt = Transform.accumulate (2, Optim.sgd (0.5, momentum = 0.9))
                let s0 = opt.Init p
                let u1, s1 = opt.Update g1 s0 p
                expectRelative 0.0 (flat u1) [| 0.0; 0.0; 0.0 |] "no update in between"
                let u2, s2 = opt.Update g2 s1 p
                expectRelative 1e-15 (flat u2) [| -1.0; -0.5; -0.5 |] "one step with the mean gradient"
                let u3, _ = opt.Update g1 s2 p
                expectRelative 0.0 (flat u3) [| 0.0; 0.0; 0.0 |] "the next window starts"
            }

            test "a schedule scales by its value at the update count" {
                let g = tree [ 1.0; 1.0 ] [ 1.0 ]
                let opt = Transform.scaleBySchedule (fun n -> float (n + 1))
                let _, s1 = opt.Update g (opt.Init g) g
                let u2, _ = opt.Update g s1 g
                expectRelative 0.0 (flat u2) [| 2.0; 2.0; 2.0 |] "second update uses schedule 1"
            }

            test "trust ratio scales each tensor by ‖param‖ / ‖update‖" {
                let p = tree [ 3.0; 4.0 ] [ 0.0 ]
                let u = tree [ 0.0; 2.0 ] [ 5.0 ]

                expectRelative
                    1e-15
                    (flat (apply (Transform.scaleByTrustRatio ()) u p))
                    [| 0.0; 5.0; 5.0 |]
                    "ratio 5/2 for the weight, 1 for a zero param"
            }
        ]
