/// A multilayer perceptron on scikit-learn's embedded 8x8 digits.
module Functional.Models.Zoo.MlpDigits

open Functional
open Functional.Data

/// Registry name.
let name = "mlp-digits"

/// Trains and prints the test accuracy last.
let run (options: ZooOptions) : ZooResult =
    let dir = Zoo.folder options name
    let split = Dataset.stratifiedSplit (Rng.seed 0) 0.2 snd (Digits.load ())
    let xTrain, yTrain = Batch.classification [| 64 |] (Dataset.toArray split.Train)
    let xTest, yTest = Batch.classification [| 64 |] (Dataset.toArray split.Test)

    let model =
        Layers.dense 256
        => Layers.relu
        => Layers.dropout 0.2
        => Layers.dense 128
        => Layers.relu
        => Layers.dropout 0.2
        => Layers.dense 10

    let config =
        {
            Model = model
            Loss = fun logits y -> Losses.crossEntropy (logits, y)
            Optimizer = Optim.adam 1e-3
            Metrics = [ Metrics.accuracy ]
        }

    Zoo.header "mlp-digits: 8x8 digits (1,797 images, pixels in [0, 1])" [ 64 ] model
    let state = TrainStep.init config (Rng.seed 1) [ 64 ]

    let fit =
        Train.fit
            config
            { Zoo.fitOptions options 60 32 with
                Validation = Some(xTest, yTest)
            }
            state
            (xTrain, yTrain)

    let seconds = Zoo.reportTime fit.History 32
    let reloaded, files = Zoo.saveRun dir name [ 64 ] model fit
    let predicted = Train.predict config reloaded 256 xTest |> Zoo.argmaxLabels

    let plot =
        Zoo.confusion dir [ for d in 0..9 -> string d ] predicted (Zoo.labels yTest)

    let accuracy =
        Train.evaluate config reloaded 256 (xTest, yTest) |> Zoo.valueOf "accuracy"

    Zoo.metricLine "accuracy" accuracy

    {
        Name = name
        Metric = "accuracy"
        Value = accuracy
        Epochs = fit.History.Epochs.Length
        SecondsPerEpoch = seconds
        Parameters = Params.count fit.State.Params
        Details = []
        Files = files @ [ plot ]
    }
