/// Numerical faults: a NaN met by the training loop stops it with the step and the first non-finite
/// parameter named, or skips exactly that step; an exploding recurrent network stays finite under
/// gradient clipping.
module Functional.Tests.Reliability.NumericalFaultTests

open Expecto
open Functional
open Functional.Tests

let private allFinite (p: Params) =
    Params.toList p
    |> List.forall (fun (_, t) -> t.ToArray<float32>() |> Array.forall System.Single.IsFinite)

let private config =
    {
        Model = Layers.dense 4 => Layers.tanh => Layers.dense 1
        Loss = fun pred t -> Losses.mse (pred, t)
        Optimizer = Optim.sgd (Rate.constant 0.1)
        Metrics = []
    }

/// 64 rows in 4 unshuffled batches of 16; row 40 (in batch 3) holds a NaN.
let private poisoned () =
    let xs = (Tensor.randn (Rng.seed 3, [ 64; 2 ])).ToArray<float32>()
    xs[80] <- nanf
    Tensor.create (Array2D.init 64 2 (fun i j -> xs[2 * i + j])), Tensor.randn (Rng.seed 4, [ 64; 1 ])

let private options policy =
    { FitOptions.defaults with
        Epochs = 1
        BatchSize = 16
        Shuffle = false
        Progress = Some Silent
        OnNonFinite = policy
    }

let private rows (t: Tensor) (first: int) = Tensor.narrow (t, 0, first, 16)

let private sameParams (a: Params) (b: Params) =
    List.forall2
        (fun (_, x: Tensor) (_, y: Tensor) -> x.ToArray<float32>() = y.ToArray<float32>())
        (Params.toList a)
        (Params.toList b)

[<Tests>]
let tests =
    testList
        "Reliability.NumericalFaults"
        [
            test "a NaN in batch 3 stops training at step 3, naming the first non-finite parameter" {
                let x, y = poisoned ()
                let st = TrainStep.init config (Rng.seed 5) [ 2 ]
                let first = Params.toList st.Params |> List.head |> fst

                let e =
                    Expect.throwsC (fun () -> Train.fit config (options StopTraining) st (x, y) |> ignore) id

                match e with
                | :? NonFiniteException as e ->
                    Expect.equal e.Step 3 "the step"
                    Expect.stringContains e.Message "step 3" "the message names the step"
                    Expect.stringContains e.Message $"parameter '{first}'" "and the first parameter"
                | e -> failtest $"expected a NonFiniteException, got {e.GetType().Name}: {e.Message}"
            }

            test "with SkipStep exactly the NaN step is skipped and the other steps are applied" {
                let x, y = poisoned ()
                let st = TrainStep.init config (Rng.seed 5) [ 2 ]
                let r = Train.fit config (options SkipStep) st (x, y)

                let step (s: TrainState) (k: int) =
                    (TrainStep.run config false s (rows x k, rows y k)).State

                let s2 = step (step st 0) 16
                let s3 = { s2 with Step = s2.Step + 1 }
                let expected = step s3 48
                Expect.equal r.State.Step 4 "four steps counted"
                Expect.isTrue (sameParams r.State.Params expected.Params) "= steps 1, 2 and 4 applied by hand"
                Expect.isFalse (sameParams r.State.Params s2.Params) "step 4 was applied"
                Expect.isTrue (allFinite r.State.Params) "parameters stay finite"
            }

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
