/// The main job: trains a small CNN on the embedded 8x8 digits (scikit-learn's, shipped in the repository),
/// prints the model summary, progress and the test accuracy, and writes the history plot, the confusion
/// matrix and the checkpoint to an output folder.
module Functional.Models.MainJob

open System
open System.IO
open Functional
open Functional.Data

/// Settings of the main job.
type MainJobOptions =
    {
        /// A few steps only (for tests).
        Quick: bool
        /// Training epochs.
        Epochs: int
        /// Output folder for plots, history and checkpoints.
        Out: string
        /// Seed of every random choice (split, init, shuffling, dropout).
        Seed: int
        /// Continue from the last checkpoint in the output folder, if there is one.
        Resume: bool
    }

/// 40 epochs, output in artifacts/main-job, seed 0.
let defaults =
    {
        Quick = false
        Epochs = 40
        Out = Path.Combine("artifacts", "main-job")
        Seed = 0
        Resume = false
    }

/// The CNN: two 3x3 convolutions with max pooling, then a dense classifier with dropout.
let model =
    Layers.conv2d (16, 3, padding = 1)
    => Layers.relu
    => Layers.maxPool2d 2
    => Layers.conv2d (32, 3, padding = 1)
    => Layers.relu
    => Layers.maxPool2d 2
    => Layers.flatten
    => Layers.dense 64
    => Layers.relu
    => Layers.dropout 0.2
    => Layers.dense 10

/// Training steps per epoch: 1,438 training images in batches of 32.
let stepsPerEpoch = 45

/// Model, loss, Adam with a learning rate decaying along a cosine over `epochs`, and metrics.
let configFor (epochs: int) =
    {
        Model = model
        Loss = fun predictions labels -> Losses.crossEntropy (predictions, labels)
        Optimizer = Optim.adam (Schedule.cosineDecay (3e-3, max 1 (epochs * stepsPerEpoch)))
        Metrics = [ Metrics.accuracy ]
    }

/// The configuration of a default run (its optimizer state has the layout of every run's).
let config = configFor defaults.Epochs

/// The digits split 80/20 with a fixed seed: ((xTrain, yTrain), (xTest, yTest)).
let data (seed: int) =
    let split = Dataset.trainTestSplit (Rng.seed seed) 0.2 (Digits.load ())
    let train = Batch.classification Digits.imageShape (Dataset.toArray split.Train)
    let test = Batch.classification Digits.imageShape (Dataset.toArray split.Test)
    train, test

/// The full training state saved by the checkpoint callback (params, model state, optimizer state, step,
/// key) and its epoch; `like` gives the structure.
let restore (like: TrainState) (path: string) : TrainState * int =
    let stored = Checkpoint.load path

    let state =
        {
            Params = Checkpoint.toParams "params." like.Params stored
            ModelState = Checkpoint.toParams "state." like.ModelState stored
            OptState = Checkpoint.toParams "opt." like.OptState stored
            Step = int stored.Metadata["step"]
            Rng = Rng.ofKey (uint64 stored.Metadata["rng"])
        }

    state, int stored.Metadata["epoch"]

/// Predicted class per row of logits.
let private labelsOf (logits: Tensor) =
    (Tensor.argmax (logits, 1)).ToArray<int64>() |> Array.map int

/// Trains, evaluates and writes the artifacts; returns the test accuracy.
let run (options: MainJobOptions) : float =
    let started = Diagnostics.Stopwatch.StartNew()
    let config = configFor options.Epochs
    let (xTrain, yTrain), (xTest, yTest) = data options.Seed

    printfn
        "Functional %s: CNN on scikit-learn's 8x8 digits (%d train, %d test images)"
        Library.version
        xTrain.Shape[0]
        xTest.Shape[0]

    Native.NativeSetup.notice () |> Option.iter (printfn "%s")
    printfn "%s" (Model.summary Digits.imageShape model)
    Directory.CreateDirectory options.Out |> ignore
    let checkpoints = Path.Combine(options.Out, "checkpoints")
    let historyCsv = Path.Combine(options.Out, "history.csv")

    let fitOptions =
        { FitOptions.defaults with
            Epochs = (if options.Quick then 1 else options.Epochs)
            BatchSize = 32
            Validation = Some(xTest, yTest)
            MaxStepsPerEpoch = (if options.Quick then Some 3 else None)
            Callbacks =
                [
                    // The log first: after a kill it is never behind the checkpoint, so a resume can cut it.
                    Callbacks.csvLogger historyCsv
                    Callbacks.checkpoint checkpoints "val_accuracy"
                ]
        }

    let fresh = TrainStep.init config (Rng.seed (options.Seed + 1)) Digits.imageShape
    let last = Path.Combine(checkpoints, "last.safetensors")

    let state, startEpoch, earlier =
        if options.Resume && File.Exists last then
            let state, epoch = restore fresh last
            printfn "resuming from %s (epoch %d, step %d)" last epoch state.Step

            if epoch >= fitOptions.Epochs then
                printfn
                    "the run already finished its %d epochs; evaluating its last checkpoint"
                    fitOptions.Epochs

            // The epochs the checkpoint has seen, from the log the killed run wrote.
            let earlier =
                if File.Exists historyCsv then
                    {
                        Epochs =
                            (History.ofCsv (File.ReadAllText historyCsv)).Epochs
                            |> List.filter (fun e -> e.Epoch <= epoch)
                    }
                else
                    History.empty

            state, epoch + 1, earlier
        else
            fresh, 1, History.empty

    let result =
        Train.fit
            config
            { fitOptions with
                StartEpoch = startEpoch
                History = earlier
            }
            state
            (xTrain, yTrain)

    let predicted = labelsOf (Train.predict config result.State 256 xTest)
    let actual = yTest.ToArray<int64>() |> Array.map int
    let confusion = ConfusionMatrix.ofLabels 10 predicted actual
    let accuracy = ConfusionMatrix.accuracy confusion
    let classNames = [ for d in 0..9 -> string d ]
    let historyPlot = Path.Combine(options.Out, "history.html")
    let confusionPlot = Path.Combine(options.Out, "confusion-matrix.html")

    if not (List.isEmpty result.History.Epochs) then
        Plot.save historyPlot (Plot.history result.History)

    Plot.save confusionPlot (Plot.confusionMatrix classNames confusion)

    printfn
        "wrote %s, %s, %s and %s"
        historyPlot
        confusionPlot
        (Path.Combine(options.Out, "history.csv"))
        checkpoints

    printfn "finished in %.1f s" started.Elapsed.TotalSeconds
    printfn "test accuracy: %.4f" accuracy
    accuracy

/// Evaluates a checkpoint written by the main job on the test split; returns the accuracy.
let evaluate (checkpoint: string) (seed: int) : float =
    let _, (xTest, yTest) = data seed
    let like = TrainStep.init config (Rng.seed (seed + 1)) Digits.imageShape
    let state, _ = restore like checkpoint

    let metrics = Train.evaluate config state 256 (xTest, yTest)

    for name, value in metrics do
        printfn "%s: %.4f" name value

    let accuracy = metrics |> List.find (fun (n, _) -> n = "accuracy") |> snd
    printfn "test accuracy: %.4f" accuracy
    accuracy

/// Prints the predicted and true digit of the first `count` test images under a checkpoint.
let predict (checkpoint: string) (count: int) (seed: int) =
    let _, (xTest, yTest) = data seed
    let like = TrainStep.init config (Rng.seed (seed + 1)) Digits.imageShape
    let state, _ = restore like checkpoint

    let n = min count xTest.Shape[0]
    let predicted = labelsOf (Train.predict config state 256 xTest) |> Array.truncate n
    let actual = yTest.ToArray<int64>() |> Array.truncate n

    for i in 0 .. n - 1 do
        printfn
            "image %3d: predicted %d, true %d%s"
            i
            predicted[i]
            actual[i]
            (if int64 predicted[i] = actual[i] then "" else "  <- wrong")
