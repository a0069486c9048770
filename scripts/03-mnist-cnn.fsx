// %% [markdown]
// # 03 · A convolutional network on MNIST
//
// Handwritten digits: a data pipeline with augmentation (`DataLoader` + `Augment`), a small CNN, a training loop
// built from the pure training step, the training history, the confusion matrix and the misclassified digits.
// MNIST is fetched once into the dataset cache (`dotnet run --project src/Models -- data fetch mnist`; the
// test script does it); without it the first cell below fails with that command in its message.
// With `FUNCTIONAL_QUICK=1` (as in the test suite) training runs a few steps only.

// %%
#I "../src/Core.FSharp/bin/Release/net10.0"
#r "Functional.Core.dll"
#r "Plotly.NET.dll"

open Functional
open Functional.Data
open Plotly.NET

/// FUNCTIONAL_QUICK=1: train for a few steps only.
let quick = System.Environment.GetEnvironmentVariable "FUNCTIONAL_QUICK" = "1"

/// The HTML of a chart in Polyglot Notebooks and Jupyter (as Plotly.NET.Interactive writes it).
let chartHtml (chart: obj) (writer: System.IO.TextWriter) =
    let plotlyJs = $"https://cdn.plot.ly/plotly-{Globals.PLOTLYJS_VERSION}.min"

    chart :?> GenericChart
    |> Chart.withDisplayOptionsStyle (PlotlyJSReference = Require plotlyJs)
    |> GenericChart.toChartHTML
    |> writer.Write

// Under .NET Interactive (Polyglot Notebooks, Jupyter) charts render as charts: register chartHtml as their HTML
// formatter. dotnet fsi and tools/NotebookRunner have no .NET Interactive formatter: there this does nothing.
for a in System.AppDomain.CurrentDomain.GetAssemblies() do
    match a.GetType "Microsoft.DotNet.Interactive.Formatting.Formatter" with
    | null -> ()
    | formatter ->
        let format = System.Action<obj, System.IO.TextWriter> chartHtml

        let register =
            formatter.GetMethod("Register", [| typeof<System.Type>; format.GetType(); typeof<string> |])

        register.Invoke(null, [| typeof<GenericChart>; format; "text/html" |]) |> ignore

// %% [script]
/// Saves a chart as a self-contained HTML file under artifacts/scripts (the notebook shows it inline).
let show (name: string) (chart: GenericChart) =
    let path =
        System.IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "artifacts", "scripts", name + ".html")

    Plot.save path chart
    printfn "chart: %s" (System.IO.Path.GetFullPath path)

// %% [markdown]
// ## Data
// `Mnist.load` gives a `Dataset` of (784 pixels in [0, 1], digit) pairs for training and test. The last 2,000
// training images are held out for validation; we train on the other 58,000.

// %%
let mnist = Mnist.load ()

let trainCount, validCount, testCount =
    if quick then 512, 256, 256 else 58_000, 2_000, 10_000

let trainSet = mnist.Train |> Dataset.take trainCount
let validSet = mnist.Train |> Dataset.skip (mnist.Train.Length - validCount)

let xValid, yValid =
    Batch.classification Mnist.imageShape (Dataset.toArray validSet)

let xTest, yTest =
    Batch.classification Mnist.imageShape (mnist.Test |> Dataset.take testCount |> Dataset.toArray)

printfn
    "MNIST: %d training images (using %d), validation %A, test %A"
    mnist.Train.Length
    trainCount
    xValid.Shape
    xTest.Shape

// %% [markdown]
// The loader shuffles every epoch, collates samples into tensors [n; 1; 28; 28] and Int64 labels [n], and
// augments each batch with random rotations, shifts and zooms (a key per batch: the same run gives the same
// batches). Batches are prepared on a background thread while the model trains.

// %%
let augment =
    Augment.compose [ Augment.rotation 12.0; Augment.shift 0.1; Augment.zoom 0.9 1.1 ]

let loader =
    DataLoader.create 64 (Batch.classification Mnist.imageShape) trainSet
    |> DataLoader.shuffle (Rng.seed 1)
    |> DataLoader.transform (Rng.seed 2) (Augment.labeled augment)

/// A row of digits per tensor [n; 1; 28; 28], drawn as heatmaps.
let digitRows (rows: (string * Tensor) list) =
    let n = (snd rows.Head).Shape[0]

    [
        for title, images in rows do
            for i in 0 .. n - 1 ->
                let pixels = images[i].Reshape [ 28; 28 ]
                let z = [ for r in 0..27 -> (pixels[r]).ToArray<float32>() ]

                Chart.Heatmap(
                    z,
                    ColorScale = StyleParam.Colorscale.Greys,
                    ReverseScale = true,
                    ShowScale = false,
                    ReverseYAxis = true,
                    Name = title
                )
    ]
    |> Chart.Grid(rows.Length, n)
    |> Chart.withSize (90 * n + 100, 110 * rows.Length + 80)

let originals, _ =
    Batch.classification Mnist.imageShape (trainSet |> Dataset.take 8 |> Dataset.toArray)

digitRows
    [
        "original", originals
        "augmented", augment (Rng.seed 3) originals
        "augmented again", augment (Rng.seed 4) originals
    ]
|> Chart.withTitle "Augmentation: rotation ±12°, shift ±10%, zoom 0.9-1.1"
|> show "03-augmentation"

// %% [markdown]
// ## The model
// Two 3×3 convolutions with max pooling, then a dense classifier with dropout. `Model.summary` infers every
// shape from the per-example input shape [1; 28; 28].

// %%
let cnn =
    Layers.conv2d (16, 3, padding = 1)
    => Layers.relu
    => Layers.maxPool2d 2
    => Layers.conv2d (32, 3, padding = 1)
    => Layers.relu
    => Layers.maxPool2d 2
    => Layers.flatten
    => Layers.dense 64
    => Layers.relu
    => Layers.dropout 0.25
    => Layers.dense 10

let config =
    {
        Model = cnn
        Loss = fun logits labels -> Losses.crossEntropy (logits, labels)
        Optimizer = Optim.adam 2e-3
        Metrics = [ Metrics.accuracy ]
    }

printfn "%s" (Model.summary Mnist.imageShape cnn)

// %% [markdown]
// ## Training
// `Train.fit` trains on tensors; with a loader we write the epoch loop ourselves from `Train.step`, a pure
// function (state, batch) -> state', and record a `History` like `Train.fit` does.

// %%
let epochs = if quick then 1 else 3

let trainEpoch (state: TrainState, history: History) (epoch: int) =
    let watch = System.Diagnostics.Stopwatch.StartNew()

    let batches =
        DataLoader.epoch epoch loader |> (if quick then Seq.truncate 3 else id)

    let state, losses, accuracy =
        batches
        |> Seq.fold
            (fun (st, losses, acc) (x, y) ->
                let r = Train.step config st (x, y)
                r.State, r.Loss :: losses, Metric.update r.Predictions y acc)
            (state, [], Metrics.accuracy)

    let train = [ "loss", List.average losses; "accuracy", Metric.compute accuracy ]
    let validation = Train.evaluate config state 500 (xValid, yValid)

    printfn
        "epoch %d: %s (%.0f s)"
        (epoch + 1)
        (validation |> List.map (fun (k, v) -> $"val_{k} {v:F4}") |> String.concat ", ")
        watch.Elapsed.TotalSeconds

    state,
    History.add
        { History.epoch (epoch + 1) train validation with
            LearningRate = 2e-3
            Duration = watch.Elapsed
        }
        history

let start = TrainStep.init config (Rng.seed 0) Mnist.imageShape

let trained, history =
    List.fold trainEpoch (start, History.empty) [ 0 .. epochs - 1 ]

Plot.history history |> show "03-history"

// %% [markdown]
// ## Evaluation
// The confusion matrix on the test images (rows: true digit, columns: predicted digit).

// %%
let predictedDigits =
    (Tensor.argmax (Train.predict config trained 500 xTest, 1)).ToArray<int64>()
    |> Array.map int

let trueDigits = yTest.ToArray<int64>() |> Array.map int
let confusion = ConfusionMatrix.ofLabels 10 predictedDigits trueDigits

printfn
    "test accuracy %.4f, macro F1 %.4f"
    (ConfusionMatrix.accuracy confusion)
    (ConfusionMatrix.f1 Macro confusion)

Plot.confusionMatrix [ for d in 0..9 -> string d ] confusion
|> show "03-confusion"

// %% [markdown]
// The first misclassified test digits, with what the model saw in them.

// %%
let wrong =
    [| 0 .. trueDigits.Length - 1 |]
    |> Array.filter (fun i -> predictedDigits[i] <> trueDigits[i])
    |> Array.truncate 16

let shownIdx = if wrong.Length > 0 then wrong else [| 0..7 |]
let images = Tensor.index (xTest, Tensor.create (Array.map int64 shownIdx, Int64))

printfn
    "%d of %d test digits are misclassified"
    (confusion.Total - Seq.sum [ for d in 0..9 -> confusion[d, d] ])
    confusion.Total

Plot.imageGrid
    8
    []
    images
    (shownIdx |> Array.map (fun i -> predictedDigits[i]))
    (shownIdx |> Array.map (fun i -> trueDigits[i]))
|> show "03-misclassified"
