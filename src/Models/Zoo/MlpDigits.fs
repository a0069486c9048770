/// A multilayer perceptron on scikit-learn's embedded 8x8 digits.
module Functional.Models.Zoo.MlpDigits

open Functional
open Functional.Data

/// Registry name.
let name = "mlp-digits"

/// ((xTrain, yTrain), (xTest, yTest)) of a stratified seeded 80/20 split, pixels in [0, 1].
let data () =
    let split = Dataset.stratifiedSplit (Rng.seed 0) 0.2 snd (Digits.load ())

    Batch.classification [| 64 |] (Dataset.toArray split.Train),
    Batch.classification [| 64 |] (Dataset.toArray split.Test)

/// dense 256 - dense 128 - dense 10, ReLU, dropout 0.2.
let model =
    Layers.dense 256
    => Layers.relu
    => Layers.dropout 0.2
    => Layers.dense 128
    => Layers.relu
    => Layers.dropout 0.2
    => Layers.dense 10

/// The held-out set and accuracy for `evaluate`/`predict`.
let evaluation (_quick: bool) : ZooEvaluation =
    {
        Model = model
        InputShape = [ 64 ]
        Dtype = Float32
        Metric = "accuracy"
        Test = snd (data ())
        Score = fun p y -> Metric.ofBatches [ p, y ] Metrics.accuracy
        Describe = ZooEvaluation.describeClass [ for d in 0..9 -> string d ]
    }

/// Trains and prints the test accuracy last.
let run (options: ZooOptions) : ZooResult =
    let config =
        {
            Model = model
            Loss = fun logits y -> Losses.crossEntropy (logits, y)
            Optimizer = Optim.adam 1e-3
            Metrics = [ Metrics.accuracy ]
        }

    let train, test = data ()

    Zoo.fitClassifier
        options
        name
        "mlp-digits: 8x8 digits (1,797 images, pixels in [0, 1])"
        [ 64 ]
        config
        (Zoo.fitOptions options 60 32)
        256
        [ for d in 0..9 -> string d ]
        Zoo.argmaxLabels
        "accuracy"
        train
        test
