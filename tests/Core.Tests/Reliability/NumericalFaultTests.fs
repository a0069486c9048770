/// Numerical faults: an exploding recurrent network stays finite under gradient clipping.
module Functional.Tests.Reliability.NumericalFaultTests

open Expecto
open Functional

let private allFinite (p: Params) =
    Params.toList p
    |> List.forall (fun (_, t) -> t.ToArray<float32>() |> Array.forall System.Single.IsFinite)

[<Tests>]
let tests =
    testList
        "Reliability.NumericalFaults"
        [
            test "an exploding RNN (ReLU, large recurrent weights) trains finitely with clipByGlobalNorm" {
                let model = Layers.rnn (16, relu = true, returnSequences = false) => Layers.dense 1
                let p0 = Model.init (Rng.seed 1) [ 40; 4 ] model
                // Scale every weight up: the recurrence h_t = relu(W h_(t-1) + ...) then explodes over 40 steps.
                let p = Params.map (fun t -> t * 3.0) p0
                let x = Tensor.randn (Rng.seed 2, [ 8; 40; 4 ])
                let y = Tensor.zeros [ 8; 1 ]
                let loss (p: Params) = Losses.mse (Model.apply model p x, y)
                let g = DiffParams.grad loss p
                let norm = (Params.norm g).ToDouble()

                Expect.isTrue
                    (norm > 1e6 || System.Double.IsInfinity norm)
                    $"the raw gradient explodes (norm {norm:G3})"

                let opt =
                    Transform.chain [ Transform.clipByGlobalNorm 1.0; Optim.sgd (Rate.constant 1e-3) ]

                let mutable state = Optimizer.init opt p
                let mutable q = p

                for _ in 1..5 do
                    let g = DiffParams.grad loss q
                    let q2, s2 = Optimizer.step opt g state q
                    q <- q2
                    state <- s2

                Expect.isTrue (allFinite q) "parameters stay finite"
                let moved = (Params.norm (q - p)).ToDouble()
                Expect.isLessThanOrEqual moved (5.0 * 1e-3 * 1.0001) "each step moves at most lr x maxNorm"
            }
        ]
