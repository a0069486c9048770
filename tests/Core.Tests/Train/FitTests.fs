module Functional.Tests.Train.FitTests

open System.IO
open Expecto
open Functional
open Functional.Tests

/// A tiny, separable two-class problem: label = (x0 + x1 > 0).
let private problem (n: int) (seed: int) =
    let x = Tensor.randn (Rng.seed seed, [ n; 2 ])
    let xs = x.ToArray<float32>()
    let y = Array.init n (fun i -> if xs[2 * i] + xs[2 * i + 1] > 0.0f then 1L else 0L)
    x, Tensor.create (y, Int64)

let private config lr =
    {
        Model = Layers.dense 8 => Layers.tanh => Layers.dense 2
        Loss = fun p t -> Losses.crossEntropy (p, t)
        Optimizer = Optim.sgd (Rate.constant lr, momentum = 0.9)
        Metrics = [ Metrics.accuracy ]
    }

let private quiet =
    { FitOptions.defaults with
        Progress = Some Silent
        BatchSize = 16
    }

let private paramsEqual (a: Params) (b: Params) =
    List.forall2
        (fun (_, x: Tensor) (_, y: Tensor) -> x.ToArray<float32>() = y.ToArray<float32>())
        (Params.toList a)
        (Params.toList b)

let private paramsEqual64 (a: Params) (b: Params) =
    List.forall2
        (fun (_, x: Tensor) (_, y: Tensor) -> x.ToArray<float>() = y.ToArray<float>())
        (Params.toList a)
        (Params.toList b)

/// (config, data, initial state, a fresh temporary folder) of the checkpoint tests, from one seed.
let private checkpointed (seed: int) =
    let cfg = config 0.1

    let folder =
        Path.Combine(Path.GetTempPath(), $"functional-ckpt-{System.Guid.NewGuid():N}")

    cfg, problem 64 seed, TrainStep.init cfg (Rng.seed (seed + 1)) [ 2 ], folder

[<Tests>]
let tests =
    testList
        "Train"
        [
            test "a short fit decreases the loss and reaches a high accuracy" {
                let cfg = config 0.1
                let x, y = problem 256 1
                let st = TrainStep.init cfg (Rng.seed 2) [ 2 ]
                let before = Train.evaluate cfg st 64 (x, y) |> List.find (fst >> (=) "loss") |> snd
                let r = Train.fit cfg { quiet with Epochs = 8 } st (x, y)
                let after = Train.evaluate cfg r.State 64 (x, y) |> Map.ofList
                Expect.isLessThan after["loss"] (before * 0.5) "loss at least halves"
                Expect.isGreaterThan after["accuracy"] 0.9 "accuracy"
                Expect.equal r.History.Epochs.Length 8 "one record per epoch"
                Expect.equal r.State.Step (8 * 16) "steps"
            }

            test "a Float64 model takes a step (the finiteness check sums in Float64)" {
                let c = config 0.1
                let s = TrainStep.init c (Rng.seed 1) [ 2 ]
                let p = Params.map (fun t -> t.ToDtype Float64) s.Params

                let s =
                    { s with
                        Params = p
                        OptState = Optimizer.init c.Optimizer p
                    }

                let x, y = problem 16 3
                let r = Train.step c s (x.ToDtype Float64, y)
                Expect.isTrue (System.Double.IsFinite r.Loss) "the loss is finite"
                Expect.isFalse (paramsEqual64 r.State.Params p) "the parameters moved"
            }
            test "the same seed gives bit-identical training; the step is pure" {
                let cfg = config 0.1
                let x, y = problem 64 3
                let st = TrainStep.init cfg (Rng.seed 4) [ 2 ]
                let a = Train.fit cfg { quiet with Epochs = 2 } st (x, y)
                let b = Train.fit cfg { quiet with Epochs = 2 } st (x, y)
                Expect.isTrue (paramsEqual a.State.Params b.State.Params) "same result twice"

                Expect.isFalse
                    (paramsEqual a.State.Params st.Params)
                    "the initial state value is unchanged and differs"
            }

            test "resuming from the state after epoch 2 equals an uninterrupted 4-epoch run" {
                let cfg = config 0.05
                let x, y = problem 64 5
                let st = TrainStep.init cfg (Rng.seed 6) [ 2 ]
                let whole = Train.fit cfg { quiet with Epochs = 4 } st (x, y)
                let half = Train.fit cfg { quiet with Epochs = 2 } st (x, y)
                // Epoch numbers restart at 1 in a new fit call, so shuffling keys differ unless Shuffle = false.
                let noShuffle = { quiet with Shuffle = false }
                let whole2 = Train.fit cfg { noShuffle with Epochs = 4 } st (x, y)
                let first = Train.fit cfg { noShuffle with Epochs = 2 } st (x, y)
                let resumed = Train.fit cfg { noShuffle with Epochs = 2 } first.State (x, y)
                Expect.isTrue (paramsEqual whole2.State.Params resumed.State.Params) "resume is exact"
                Expect.equal half.History.Epochs.Length 2 "two epochs"
                Expect.equal whole.History.Epochs.Length 4 "four epochs"
            }

            test "early stopping fires after `patience` epochs without improvement and restores the best" {
                let cfg = config 0.0 // no learning: the monitored loss never improves after epoch 1
                let x, y = problem 32 7
                let st = TrainStep.init cfg (Rng.seed 8) [ 2 ]

                let r =
                    Train.fit
                        cfg
                        { quiet with
                            Epochs = 10
                            Validation = Some(x, y)
                            Callbacks = [ Callbacks.earlyStopping "val_loss" 2 true ]
                        }
                        st
                        (x, y)

                Expect.equal r.History.Epochs.Length 3 "epoch 1 sets the best, epochs 2 and 3 do not improve"
                Expect.isSome r.StoppedEarly "a reason is given"
                Expect.stringContains r.StoppedEarly.Value "val_loss" "the reason names the metric"
            }

            test "the checkpoint callback writes loadable best and last files that round-trip the parameters" {
                let cfg, (x, y), st, folder = checkpointed 9

                let r =
                    Train.fit
                        cfg
                        { quiet with
                            Epochs = 3
                            Validation = Some(x, y)
                            Callbacks = [ Callbacks.checkpoint folder "val_loss" ]
                        }
                        st
                        (x, y)

                let last = Checkpoint.load (Path.Combine(folder, "last.safetensors"))
                let restored = Checkpoint.toParams "params." st.Params last
                Expect.isTrue (paramsEqual restored r.State.Params) "last checkpoint = final params"
                Expect.equal last.Metadata["epoch"] "3" "epoch recorded"
                Expect.isTrue (File.Exists(Path.Combine(folder, "best.safetensors"))) "best written"
                Directory.Delete(folder, true)
            }

            test "a resumed fit appends to the earlier history and keeps a better earlier best checkpoint" {
                let cfg, (x, y), st, folder = checkpointed 11

                let withLog =
                    { quiet with
                        Validation = Some(x, y)
                        Callbacks = [ Callbacks.checkpoint folder "val_loss" ]
                    }

                let first = Train.fit cfg { withLog with Epochs = 2 } st (x, y)
                let best = Path.Combine(folder, "best.safetensors")
                let bestBefore = File.ReadAllBytes best
                // An earlier run that was (pretend) far better: the resumed epochs must not replace its best.
                let earlier =
                    {
                        Epochs =
                            first.History.Epochs
                            |> List.map (fun e ->
                                { e with
                                    Validation = e.Validation.Add("loss", 1e-9)
                                })
                    }

                let resumed =
                    Train.fit
                        cfg
                        { withLog with
                            Epochs = 4
                            StartEpoch = 3
                            History = earlier
                        }
                        first.State
                        (x, y)

                Expect.equal
                    (resumed.History.Epochs |> List.map (fun e -> e.Epoch))
                    [ 1; 2; 3; 4 ]
                    "whole run"

                Expect.equal (File.ReadAllBytes best) bestBefore "best.safetensors kept"
                let last = Checkpoint.load (Path.Combine(folder, "last.safetensors"))
                Expect.equal last.Metadata["epoch"] "4" "last is the resumed run's"
                // Without the earlier history, the resumed run's first epoch would be the best so far.
                Train.fit
                    cfg
                    { withLog with
                        Epochs = 3
                        StartEpoch = 3
                    }
                    first.State
                    (x, y)
                |> ignore

                Expect.notEqual (File.ReadAllBytes best) bestBefore "a fresh best is written"
                Directory.Delete(folder, true)
            }

            test "a NaN loss stops training with the step and the parameter named" {
                let cfg =
                    { config 0.1 with
                        Loss = fun p _ -> Tensor.sum p * nan
                    }

                let x, y = problem 32 11
                let st = TrainStep.init cfg (Rng.seed 12) [ 2 ]

                TestUtil.throwsOf
                    (fun e -> e :? NonFiniteException)
                    "NonFiniteException"
                    [ "step 1"; "not finite" ]
                    (fun () -> Train.fit cfg { quiet with Epochs = 1 } st (x, y))
            }

            test "with SkipStep a non-finite step leaves the parameters unchanged" {
                let cfg =
                    { config 0.1 with
                        Loss = fun p _ -> Tensor.sum p * nan
                    }

                let x, y = problem 32 13
                let st = TrainStep.init cfg (Rng.seed 14) [ 2 ]

                let r =
                    Train.fit
                        cfg
                        { quiet with
                            Epochs = 1
                            OnNonFinite = SkipStep
                        }
                        st
                        (x, y)

                Expect.isTrue (paramsEqual r.State.Params st.Params) "no update"
            }

            test "mismatched inputs and targets are reported with both shapes" {
                let cfg = config 0.1
                let st = TrainStep.init cfg (Rng.seed 0) [ 2 ]

                TestUtil.throwsArgument [ "Train.fit"; "[4; 2]"; "[3]" ] (fun () ->
                    Train.fit cfg quiet st (Tensor.zeros [ 4; 2 ], Tensor.zeros ([ 3 ], Int64)))
            }
        ]
