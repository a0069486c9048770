/// A convolutional network with batch normalization on Fashion-MNIST.
module Functional.Models.Zoo.CnnFashion

open Functional
open Functional.Data

/// Registry name.
let name = "cnn-fashion"

/// Two blocks of conv -> batch norm -> relu -> pool (32, 64 channels), then dense 256 with dropout.
let model =
    Layers.conv2d (32, 3, padding = 1)
    => Layers.batchNorm ()
    => Layers.relu
    => Layers.maxPool2d 2
    => Layers.conv2d (64, 3, padding = 1)
    => Layers.batchNorm ()
    => Layers.relu
    => Layers.maxPool2d 2
    => Layers.flatten
    => Layers.dropout 0.25
    => Layers.dense 256
    => Layers.relu
    => Layers.dropout 0.5
    => Layers.dense 10

/// ((xTrain, yTrain), (xTest, yTest)): the published training and test sets (quick: their first 512 images).
let data (quick: bool) =
    Zoo.imageSplits quick FashionMnist.imageShape (FashionMnist.load ())

/// The held-out set and accuracy for `evaluate`/`predict`.
let evaluation (quick: bool) : ZooEvaluation =
    {
        Model = model
        InputShape = List.ofArray FashionMnist.imageShape
        Dtype = Float32
        Metric = "accuracy"
        Test = snd (data quick)
        Score = fun p y -> Metric.ofBatches [ p, y ] Metrics.accuracy
        Describe = ZooEvaluation.describeClass (List.ofArray FashionMnist.classNames)
    }

/// The share of the training images held out for validation: the last 5,000 of the 60,000 (the recipe,
/// 15 epochs, was chosen on them; the test set is only scored at the end).
let validationSplit = 5000.0 / 60000.0

/// Trains on 55,000 training images (validating on the other 5,000) and prints the test accuracy last.
let run (options: ZooOptions) : ZooResult =
    let (xTrain, yTrain), test = data options.Quick
    let batchSize = 64
    let fitOptions = Zoo.fitOptions options 15 batchSize
    let trained = xTrain.Shape[0] - int (float xTrain.Shape[0] * validationSplit)

    let schedule =
        Schedule.cosineDecay (1e-3, fitOptions.Epochs * (trained / batchSize + 1), 0.05)

    let config =
        {
            Model = model
            Loss = fun logits y -> Losses.crossEntropy (logits, y)
            Optimizer = Optim.adam schedule
            Metrics = [ Metrics.accuracy ]
        }

    Zoo.fitClassifier
        options
        name
        "cnn-fashion: Fashion-MNIST (60,000 training / 10,000 test 28x28 clothing images)"
        FashionMnist.imageShape
        config
        { fitOptions with
            LearningRate = Some schedule
            ValidationSplit = validationSplit
        }
        500
        (List.ofArray FashionMnist.classNames)
        Zoo.argmaxLabels
        "accuracy"
        (xTrain, yTrain)
        test
