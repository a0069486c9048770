/// A two-block convolutional network on MNIST.
module Functional.Models.Zoo.CnnMnist

open Functional
open Functional.Data

/// Registry name.
let name = "cnn-mnist"

/// conv 32 -> pool -> conv 64 -> pool -> dense 128 -> dense 10 (about 420k parameters).
let model =
    Layers.conv2d (32, 3, padding = 1)
    => Layers.relu
    => Layers.maxPool2d 2
    => Layers.conv2d (64, 3, padding = 1)
    => Layers.relu
    => Layers.maxPool2d 2
    => Layers.flatten
    => Layers.dense 128
    => Layers.relu
    => Layers.dropout 0.5
    => Layers.dense 10

/// ((xTrain, yTrain), (xTest, yTest)): the published training and test sets (quick: their first 512 images).
let data (quick: bool) =
    Zoo.imageSplits quick Mnist.imageShape (Mnist.load ())

/// The held-out set and accuracy for `evaluate`/`predict`.
let evaluation (quick: bool) : ZooEvaluation =
    {
        Model = model
        InputShape = List.ofArray Mnist.imageShape
        Dtype = Float32
        Metric = "accuracy"
        Test = snd (data quick)
        Score = fun p y -> Metric.ofBatches [ p, y ] Metrics.accuracy
        Describe = ZooEvaluation.describeClass [ for d in 0..9 -> string d ]
    }

/// Trains and prints the test accuracy last.
let run (options: ZooOptions) : ZooResult =
    let (xTrain, yTrain), test = data options.Quick
    let batchSize = 64
    let fitOptions = Zoo.fitOptions options 8 batchSize
    let totalSteps = fitOptions.Epochs * (xTrain.Shape[0] / batchSize + 1)

    let config =
        {
            Model = model
            Loss = fun logits y -> Losses.crossEntropy (logits, y)
            Optimizer = Optim.adam (Schedule.cosineDecay (1e-3, totalSteps, 0.05))
            Metrics = [ Metrics.accuracy ]
        }

    Zoo.fitClassifier
        options
        name
        "cnn-mnist: MNIST (60,000 training / 10,000 test 28x28 digits)"
        Mnist.imageShape
        config
        { fitOptions with
            LearningRate = Some(Schedule.cosineDecay (1e-3, totalSteps, 0.05))
        }
        500
        [ for d in 0..9 -> string d ]
        Zoo.argmaxLabels
        "accuracy"
        (xTrain, yTrain)
        test
