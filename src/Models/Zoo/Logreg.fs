/// Logistic regression on the Wisconsin breast-cancer data (30 standardized features, malignant vs benign).
module Functional.Models.Zoo.Logreg

open Functional
open Functional.Data

/// Registry name.
let name = "logreg"

/// ((xTrain, yTrain), (xTest, yTest)) of a stratified seeded 80/20 split: x [n; 30] standardized with the
/// training statistics, y [n; 1] as 0/1 floats for the binary cross-entropy.
let data () =
    let split = Dataset.stratifiedSplit (Rng.seed 0) 0.2 snd (BreastCancer.load ())
    let train, test = Dataset.toArray split.Train, Dataset.toArray split.Test
    let scaling = Standardization.fit (Array.map fst train)

    // x [n; 30] standardized; y [n; 1] as 0/1 floats for the binary cross-entropy.
    let tensors (samples: (float32[] * int)[]) =
        let x, y = Batch.classification [| 30 |] samples
        Standardization.applyTensor scaling x, Tensor.reshape (y.ToDtype Float32, [ -1; 1 ])

    tensors train, tensors test

/// One linear unit: the logit of "benign"; the loss applies the sigmoid stably.
let model = Layers.dense 1

/// The held-out set and accuracy for `evaluate`/`predict`.
let evaluation (_quick: bool) : ZooEvaluation =
    let classes = BreastCancer.classNames ()

    {
        Model = model
        InputShape = [ 30 ]
        Dtype = Float32
        Metric = "accuracy"
        Test = snd (data ())
        Score = fun p y -> Metric.ofBatches [ p, y ] (Metrics.binaryAccuracy 0.0)
        Describe =
            fun p y i ->
                let logit = (Tensor.reshape (p, [ -1 ])).ToArray<float32>()[i]
                let predicted = if logit >= 0.0f then 1 else 0
                let actual = int ((Tensor.reshape (y, [ -1 ])).ToArray<float32>()[i])
                let mark = if predicted = actual then "" else "  <- wrong"
                $"example {i}: predicted {classes[predicted]} (logit %.2f{logit}), true {classes[actual]}{mark}"
    }

/// Trains and prints the test accuracy last.
let run (options: ZooOptions) : ZooResult =
    let config =
        {
            Model = model
            Loss = fun logit t -> Losses.binaryCrossEntropyWithLogits (logit, t)
            Optimizer = Optim.adam (1e-2, weightDecay = 1e-4)
            Metrics = [ Metrics.binaryAccuracy 0.0 ] // logit >= 0 <=> probability >= 0.5
        }

    let train, test = data ()

    let positiveLogit (logits: Tensor) =
        logits.ToArray<float32>() |> Array.map (fun l -> if l >= 0.0f then 1 else 0)

    Zoo.fitClassifier
        options
        name
        "logreg: breast cancer (569 tumours, 30 standardized features)"
        [ 30 ]
        config
        (Zoo.fitOptions options 60 32)
        256
        (BreastCancer.classNames () |> List.ofArray)
        positiveLogit
        "binary_accuracy"
        train
        test
