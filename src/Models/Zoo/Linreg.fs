/// Linear regression on scikit-learn's diabetes data by full-batch gradient descent, checked against the
/// closed-form least-squares solution (MathNet.Numerics QR).
module Functional.Models.Zoo.Linreg

open System
open MathNet.Numerics.LinearAlgebra
open Functional
open Functional.Data

/// Registry name.
let name = "linreg"

/// The closed-form least-squares fit of y on [x | 1] by QR: (weights, intercept).
let closedForm (x: float[][]) (y: float[]) : float[] * float =
    let a =
        Matrix<float>.Build.DenseOfRowArrays(x |> Array.map (fun r -> Array.append r [| 1.0 |]))

    let solution = a.QR().Solve(Vector<float>.Build.DenseOfArray y).ToArray()
    solution[.. solution.Length - 2], solution[solution.Length - 1]

/// Float64 tensors ((xTrain, yTrain), (xTest, yTest)) of a seeded 80/20 split: x [n; 10] standardized with
/// the training statistics, y [n; 1].
let data () =
    let split = Dataset.trainTestSplit (Rng.seed 0) 0.2 (Diabetes.load ())
    let train, test = Dataset.toArray split.Train, Dataset.toArray split.Test
    let scaling = Standardization.fit (Array.map fst train)

    // Float64 tensors: x [n; 10] standardized, y [n; 1].
    let tensors (samples: (float32[] * float32)[]) =
        let x, y = Batch.regression [| 10 |] samples
        let x = Standardization.applyTensor scaling x
        x.ToDtype Float64, (Tensor.reshape (y, [ -1; 1 ])).ToDtype Float64

    tensors train, tensors test

/// One linear unit.
let model = Layers.dense 1

/// The held-out set and R² for `evaluate`/`predict`.
let evaluation (_quick: bool) : ZooEvaluation =
    {
        Model = model
        InputShape = [ 10 ]
        Dtype = Float64
        Metric = "r2"
        Test = snd (data ())
        Score = fun p y -> Metric.ofBatches [ p, y ] Metrics.r2
        Describe = ZooEvaluation.describeValue
    }

/// Trains, compares with the closed form, prints the test R² last.
let run (options: ZooOptions) : ZooResult =
    let (xTrain, yTrain), (xTest, yTest) = data ()

    let config =
        {
            Model = model
            Loss = fun p t -> Losses.mse (p, t)
            Optimizer = Optim.sgd (0.1, momentum = 0.9)
            Metrics = [ Metrics.r2 ]
        }

    Zoo.header
        "linreg: diabetes (442 patients, 10 standardized features), full-batch gradient descent"
        [ 10 ]
        model

    // The state in Float64, so that the weights can match the closed form to 1e-4.
    let state =
        let s = TrainStep.init config (Rng.seed 1) [ 10 ]
        let p = Params.map (fun t -> t.ToDtype Float64) s.Params

        { s with
            Params = p
            OptState = Optimizer.init config.Optimizer p
        }

    // Gradient descent: every step sees the whole training set; the history records every 100th step.
    let steps = if options.Quick then 20 else 100 * Zoo.epochs options 30
    let watch = Diagnostics.Stopwatch.StartNew()

    let rec descend (k: int) (state: TrainState) (history: History) =
        if k > steps then
            state, history
        else
            let r = Train.step config state (xTrain, yTrain)

            let history =
                if k % 100 = 0 || k = steps then
                    if k % 1000 = 0 || k = steps then
                        printfn "step %5d  train mse %.4f" k r.Loss

                    History.add (History.epoch (k / 100) [ "mse", r.Loss ] []) history
                else
                    history

            descend (k + 1) r.State history

    let final, history = descend 1 state History.empty
    let seconds = watch.Elapsed.TotalSeconds

    let result =
        {
            State = final
            History = history
            StoppedEarly = None
        }

    let reloaded, files = Zoo.saveRun options name [ 10 ] model result

    // Compare with the closed form on the same standardized training data.
    let rows (x: Tensor) =
        let flat = x.ToArray<float>()
        Array.init x.Shape[0] (fun i -> flat[i * 10 .. i * 10 + 9])

    let wExact, bExact = closedForm (rows xTrain) (yTrain.ToArray<float>())
    let w = (Params.get "weight" reloaded.Params).ToArray<float>()
    let b = (Params.get "bias" reloaded.Params).ToArray<float>()[0]

    let gap =
        Array.append (Array.map2 (fun a e -> abs (a - e)) w wExact) [| abs (b - bExact) |]
        |> Array.max

    printfn
        "weights (gradient descent): %s, bias %.4f"
        (w |> Array.map (sprintf "%.4f") |> String.concat " ")
        b

    printfn
        "weights (MathNet QR):       %s, bias %.4f"
        (wExact |> Array.map (sprintf "%.4f") |> String.concat " ")
        bExact

    let gapText = gap.ToString("0.00E+00", Globalization.CultureInfo.InvariantCulture)
    printfn "max |gradient descent - closed form| = %s (%s 1e-4)" gapText (if gap <= 1e-4 then "<=" else ">")

    let r2 = Train.evaluate config reloaded 512 (xTest, yTest) |> Zoo.valueOf "r2"

    // One full-batch step is one epoch (a pass over the training set).
    printfn
        "time per epoch: %.2f ms (%d epochs, each one full-batch step of batch %d)"
        (1000.0 * seconds / float steps)
        steps
        xTrain.Shape[0]

    Zoo.metricLine "r2" r2

    {
        Name = name
        Metric = "r2"
        Value = r2
        Epochs = steps
        SecondsPerEpoch = seconds / float steps
        Parameters = Params.count final.Params
        Details = [ "max_weight_gap", gap ]
        Files = files
    }
