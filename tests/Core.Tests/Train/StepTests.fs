module Functional.Tests.Train.StepTests

open Expecto
open Functional

/// A one-output dense layer over `features` inputs with a loss of its summed predictions times `scale`.
let private scaledSum (scale: float) =
    {
        Model = Layers.dense 1
        Loss = fun p _ -> Tensor.sum p * scale
        Optimizer = Optim.adam (Rate.constant 1e-3)
        Metrics = []
    }

let private targets n = Tensor.zeros ([ n ], Int64)

[<Tests>]
let tests =
    testList
        "Train.step"
        [
            test "the loss is read exactly, in Float32 and in Float64" {
                let cfg = scaledSum 3.0
                let x = Tensor.randn (Rng.seed 1, [ 8; 5 ])
                let st = TrainStep.init cfg (Rng.seed 2) [ 5 ]
                let r = TrainStep.run cfg false st (x, targets 8)
                let expected = (cfg.Loss (Model.apply cfg.Model st.Params x) (targets 8)).ToDouble()
                Expect.equal r.Loss expected "Float32 loss"
                Expect.isTrue r.Finite "finite"

                let st64 =
                    { st with
                        Params = Params.map (fun t -> t.ToDtype Float64) st.Params
                        OptState =
                            Optimizer.init cfg.Optimizer (Params.map (fun t -> t.ToDtype Float64) st.Params)
                    }

                let x64 = x.ToDtype Float64
                let r64 = TrainStep.run cfg false st64 (x64, targets 8)

                let expected64 =
                    (cfg.Loss (Model.apply cfg.Model st64.Params x64) (targets 8)).ToDouble()

                Expect.equal r64.Loss expected64 "Float64 loss"

                Expect.notEqual
                    (float32 r64.Loss |> float)
                    r64.Loss
                    "a Float64 value, not a rounded Float32 one"
            }

            test "an infinite gradient under a finite loss is caught and its parameter named" {
                // √ at 0: the loss is 0, its derivative is infinite
                let cfg =
                    { scaledSum 1.0 with
                        Model = Layers.dense (1, biasInit = Init.zeros)
                        Loss = fun p _ -> Tensor.sum (Tensor.sqrt (p * p))
                    }

                let st = TrainStep.init cfg (Rng.seed 3) [ 4 ]
                let r = TrainStep.run cfg true st (Tensor.zeros [ 2; 4 ], targets 2)
                Expect.equal r.Loss 0.0 "the loss is finite"
                Expect.isFalse r.Finite "the step is not finite"

                Expect.contains
                    (Params.paths st.Params |> List.map Some)
                    r.NonFiniteParam
                    "a parameter of the model is named"

                Expect.equal r.State.Step 1 "the skipped step counts"
                Expect.isTrue (obj.ReferenceEquals(r.State.Params, st.Params)) "the parameters are unchanged"
            }

            test "large finite gradients whose sum overflows Float32 are still finite" {
                // each weight's gradient is 1e37; the 64 of them sum to 6.4e38 > Float32's 3.4e38
                let cfg = scaledSum 1e37
                let st = TrainStep.init cfg (Rng.seed 4) [ 64 ]
                let r = TrainStep.run cfg false st (Tensor.ones [ 1; 64 ], targets 1)

                let w =
                    Params.toList st.Params |> List.find (fun (_, t) -> t.NumElements = 64) |> fst

                let grads =
                    DiffParams.grad
                        (fun p -> cfg.Loss (Model.apply cfg.Model p (Tensor.ones [ 1; 64 ])) (targets 1))
                        st.Params

                let g = (Params.get w grads).ToArray<float32>()
                Expect.isTrue (g |> Array.forall (fun v -> v = 1e37f)) "every weight's gradient is 1e37"
                Expect.isTrue (System.Single.IsInfinity(Array.sum g)) "their Float32 sum overflows"
                Expect.isTrue r.Finite "the step is finite"
                Expect.isNone r.NonFiniteParam "no parameter is named"
                Expect.notEqual r.State.Step 0 "the step was taken"
            }
        ]
