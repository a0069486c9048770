module Functional.Tests.Optim.WeightAverageTests

open Expecto
open Functional
open Functional.Tests.TestUtil
open Functional.Tests.Optim.Problems

/// Runs `steps` steps of `opt` with `Optimizer.step`; returns every parameter tree visited and the last state.
let private run (opt: Optimizer) (steps: int) =
    let mutable p = treeParameters ()
    let mutable s = Optimizer.init opt p
    let visited = ResizeArray [ p ]

    for i in 1..steps do
        let next, state = Optimizer.step opt (treeGradients i p) s p
        p <- next
        s <- state
        visited.Add p

    List.ofSeq visited, s

let private expectClose (actual: Params) (expected: Params) (what: string) =
    Expect.equal (Params.paths actual) (Params.paths expected) $"{what}: the same paths"

    for (path, a), (_, e) in List.zip (Params.toList actual) (Params.toList expected) do
        Expect.isTrue (Tensor.allclose (a, e, rtol = 1e-5, atol = 1e-6)) $"{what}: {path} {a} vs {e}"

/// A tiny two-class problem: label = (x0 + x1 > 0).
let private problem (n: int) =
    let x = Tensor.randn (Rng.seed 5, [ n; 2 ])
    let xs = x.ToArray<float32>()
    let y = Array.init n (fun i -> if xs[2 * i] + xs[2 * i + 1] > 0.0f then 1L else 0L)
    x, Tensor.create (y, Int64)

let private config (optimizer: Optimizer) =
    {
        Model = Layers.dense 8 => Layers.tanh => Layers.dense 2
        Loss = fun p t -> Losses.crossEntropy (p, t)
        Optimizer = optimizer
        Metrics = []
    }

[<Tests>]
let tests =
    testList
        "Optim weight average"
        [
            test "the average is the exponential moving average of the parameters after each step" {
                let decay = 0.8

                let visited, state =
                    run (Transform.averageWeights (decay, Optim.sgd (Rate.constant 0.1))) 4
                // a0 = p0, a_k = decay a_(k-1) + (1 - decay) p_k
                let expected =
                    visited.Tail
                    |> List.fold
                        (fun a p -> Params.map2 (fun x y -> decay * x + (1.0 - decay) * y) a p)
                        visited.Head

                expectClose (WeightAverage.find state) expected "average"

                Expect.isFalse
                    (Tensor.allclose (
                        Params.toList expected |> List.head |> snd,
                        Params.toList (List.last visited) |> List.head |> snd
                    ))
                    "the average lags the parameters"
            }

            test "the parameters follow the inner optimizer unchanged" {
                let inner = Optim.sgd (Rate.constant 0.1, momentum = 0.9)
                let averaged, _ = run (Transform.averageWeights (0.99, inner)) 5
                let plain, _ = run inner 5
                expectClose (List.last averaged) (List.last plain) "parameters"
            }

            test "with Adam the fused step keeps the same average as the generic update" {
                let opt = Transform.averageWeights (0.9, Optim.adamW (1e-2, weightDecay = 0.1))
                let fused, sFused = run opt 4
                let generic, sGeneric = run { opt with Init = opt.Init } 4
                expectClose (List.last fused) (List.last generic) "parameters"
                expectClose (WeightAverage.find sFused) (WeightAverage.find sGeneric) "average"
            }

            test "the average is found inside a chain, and a state without one gets a clear error" {
                let opt =
                    Transform.chain
                        [
                            Transform.clipByGlobalNorm 1.0
                            Transform.averageWeights (0.5, Optim.sgd (Rate.constant 0.1))
                        ]

                let _, state = run opt 1
                Expect.isSome (WeightAverage.tryFind state) "found in the chain's state"
                let _, plain = run (Optim.sgd (Rate.constant 0.1)) 1
                Expect.isNone (WeightAverage.tryFind plain) "none in a plain optimizer's state"

                throwsArgument [ "WeightAverage.find"; "Transform.averageWeights" ] (fun () ->
                    WeightAverage.find plain)
            }

            test "a decay outside [0, 1) is refused" {
                for decay in [ 1.0; -0.1; nan ] do
                    throwsArgument [ "Transform.averageWeights"; "decay" ] (fun () ->
                        Transform.averageWeights (decay, Optim.sgd (Rate.constant 0.1)))
            }

            test "Train.fit with ValidateAveraged validates the averaged weights" {
                let cfg = config (Transform.averageWeights (0.9, Optim.sgd (Rate.constant 0.5)))
                let x, y = problem 128
                let start = TrainStep.init cfg (Rng.seed 2) [ 2 ]

                let fit =
                    Train.fit
                        cfg
                        { FitOptions.defaults with
                            Epochs = 1
                            BatchSize = 16
                            Progress = Some Silent
                            Validation = Some(x, y)
                            ValidateAveraged = true
                        }
                        start
                        (x, y)

                let recorded = fit.History.Epochs.Head.Validation["loss"]

                let lossOf st =
                    Train.evaluate cfg st 64 (x, y) |> List.find (fst >> (=) "loss") |> snd

                Expect.floatClose
                    Accuracy.high
                    recorded
                    (lossOf (Train.averaged fit.State))
                    "the averaged loss"

                Expect.isGreaterThan (abs (recorded - lossOf fit.State)) 1e-4 "not the raw parameters' loss"
            }

            test "Train.fit with ValidateAveraged and no average is refused before training" {
                let cfg = config (Optim.sgd (Rate.constant 0.1))
                let x, y = problem 16

                throwsArgument [ "Train.fit"; "ValidateAveraged"; "Transform.averageWeights" ] (fun () ->
                    Train.fit
                        cfg
                        { FitOptions.defaults with
                            Progress = Some Silent
                            Validation = Some(x, y)
                            ValidateAveraged = true
                        }
                        (TrainStep.init cfg (Rng.seed 2) [ 2 ])
                        (x, y))
            }
        ]
