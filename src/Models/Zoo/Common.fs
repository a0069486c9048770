namespace Functional.Models.Zoo

open System
open System.Diagnostics
open System.IO
open Functional
open Functional.Data

/// How to run a zoo model.
type ZooOptions =
    {
        /// Train for a few steps only (for tests): the metric line is printed but the target is not reached.
        Quick: bool
        /// Overrides the model's full epoch budget.
        Epochs: int option
        /// Root output folder; each model writes its checkpoint, plots and logs into `OutputDir/<name>`.
        OutputDir: string
        /// Progress display of `Train.fit` (None: a bar on a terminal, one line per epoch otherwise).
        Progress: ProgressMode option
    }

    /// Full budget, output under `zoo-output`, automatic progress display.
    static member defaults =
        {
            Quick = false
            Epochs = None
            OutputDir = "zoo-output"
            Progress = None
        }

/// What a zoo run measured.
type ZooResult =
    {
        /// The model's registry name (e.g. "cnn-mnist").
        Name: string
        /// The test metric (the last line printed is `test <Metric>: <Value>`).
        Metric: string
        /// The test metric's value.
        Value: float
        /// Epochs trained.
        Epochs: int
        /// Mean wall-clock seconds per training epoch.
        SecondsPerEpoch: float
        /// Number of trainable parameters.
        Parameters: int
        /// Other measurements (baselines, secondary metrics), by name.
        Details: (string * float) list
        /// Files written (checkpoint, plots, logs).
        Files: string list
    }

/// Shared plumbing of the zoo models: budgets, timing, the metric line and the files every run writes.
module Zoo =
    /// The epochs to run: 1 when quick, else the override or the model's full budget.
    let epochs (options: ZooOptions) (full: int) : int =
        if options.Quick then 1 else defaultArg options.Epochs full

    /// `Train.fit` options: the budget, batch size and progress display; quick runs stop after 3 steps.
    let fitOptions (options: ZooOptions) (fullEpochs: int) (batchSize: int) : FitOptions =
        { FitOptions.defaults with
            Epochs = epochs options fullEpochs
            BatchSize = batchSize
            Progress = options.Progress
            MaxStepsPerEpoch = if options.Quick then Some 3 else None
        }

    /// The folder `OutputDir/<name>`, created if needed.
    let folder (options: ZooOptions) (name: string) : string =
        let dir = Path.Combine(options.OutputDir, name)
        Directory.CreateDirectory dir |> ignore
        dir

    /// Prints a heading with the model's summary table.
    let header (title: string) (inputShape: int seq) (model: Model) =
        printfn "== %s" title
        Native.NativeSetup.notice () |> Option.iter (printfn "%s")
        printfn "%s" (Model.summary inputShape model)

    /// Mean seconds per epoch of a history (0 when empty).
    let secondsPerEpoch (h: History) : float =
        if h.Epochs.IsEmpty then
            0.0
        else
            h.Epochs |> List.averageBy (fun e -> e.Duration.TotalSeconds)

    /// Prints the time per epoch with the step time and batch size (for profiling); returns seconds per epoch.
    let reportTime (h: History) (batchSize: int) : float =
        let perEpoch = secondsPerEpoch h
        let steps = h.Epochs |> List.sumBy (fun e -> e.StepLosses.Length)
        let total = h.Epochs |> List.sumBy (fun e -> e.Duration.TotalSeconds)
        let msPerStep = if steps = 0 then 0.0 else 1000.0 * total / float steps

        printfn
            "time per epoch: %.1f s (%d epochs, %.1f ms per step of batch %d, validation included)"
            perEpoch
            h.Epochs.Length
            msPerStep
            batchSize

        perEpoch

    /// Runs `f` and returns its result with the elapsed seconds.
    let timed (f: unit -> 'T) : 'T * float =
        let sw = Stopwatch.StartNew()
        let r = f ()
        r, sw.Elapsed.TotalSeconds

    /// Prints the closing metric line, e.g. `test accuracy: 0.9921`.
    let metricLine (metric: string) (value: float) =
        printfn "test %s: %s" metric (value.ToString("0.0000", Globalization.CultureInfo.InvariantCulture))

    /// Saves the parameters and model state as one safetensors checkpoint (`params.*`, `state.*`).
    let saveCheckpoint (path: string) (state: TrainState) (metadata: Map<string, string>) =
        let tree = Params.group [ "params", state.Params; "state", state.ModelState ]

        Checkpoint.saveParams path tree metadata

    /// A training state whose parameters and model state are read back from a checkpoint written by
    /// `saveCheckpoint` (shapes come from `like`).
    let loadCheckpoint (path: string) (like: TrainState) : TrainState =
        let tree = Params.group [ "params", like.Params; "state", like.ModelState ]
        let loaded = Checkpoint.loadParams path tree

        { like with
            Params = Params.find "params" loaded
            ModelState =
                (if Params.count like.ModelState = 0 then
                     like.ModelState
                 else
                     Params.find "state" loaded)
        }

    /// Writes the checkpoint, the model summary, the history (CSV and an HTML plot) into `OutputDir/<name>`, then reloads
    /// the checkpoint; returns the reloaded state (so the test metric is computed from the saved file) and
    /// the files written.
    let saveRun
        (options: ZooOptions)
        (name: string)
        (inputShape: int seq)
        (model: Model)
        (result: FitResult)
        : TrainState * string list =
        let dir = folder options name
        let checkpoint = Path.Combine(dir, "model.safetensors")
        let summary = Path.Combine(dir, "summary.txt")
        let csv = Path.Combine(dir, "history.csv")
        let plot = Path.Combine(dir, "history.html")

        saveCheckpoint
            checkpoint
            result.State
            (Map.ofList
                [
                    "model", name
                    "epochs", string result.History.Epochs.Length
                    "quick", string options.Quick
                ])

        File.WriteAllText(summary, Model.summary inputShape model)
        File.WriteAllText(csv, History.toCsv result.History)

        if not result.History.Epochs.IsEmpty then
            Plot.save plot (Plot.history result.History)

        loadCheckpoint checkpoint result.State, [ checkpoint; summary; csv; plot ]

    /// Writes a confusion-matrix heatmap of (predicted, actual) labels to `dir/confusion.html` and prints it.
    let confusion (dir: string) (classNames: string list) (predicted: int[]) (actual: int[]) : string =
        let m = (ConfusionMatrix.empty classNames.Length).AddLabels(predicted, actual)
        printfn "confusion matrix (rows: true class, columns: predicted):\n%O" m
        let path = Path.Combine(dir, "confusion.html")
        Plot.save path (Plot.confusionMatrix classNames m)
        path

    /// Predicted classes (argmax of the last dimension) of class scores.
    let argmaxLabels (scores: Tensor) : int[] =
        (Tensor.argmax (scores, -1)).ToArray<int64>() |> Array.map int

    /// Batched ((xTrain, yTrain), (xTest, yTest)) of a published train/test split of images; a quick run
    /// takes the first 512 images of each.
    let imageSplits (quick: bool) (imageShape: int[]) (data: TrainTest<float32[] * int>) =
        let part (d: Dataset<_>) = if quick then Dataset.take 512 d else d

        Batch.classification imageShape (Dataset.toArray (part data.Train)),
        Batch.classification imageShape (Dataset.toArray (part data.Test))

    /// Class labels of an integer label tensor.
    let labels (y: Tensor) : int[] =
        (y.ToDtype Dtype.Int64).ToArray<int64>() |> Array.map int

    /// The value of a named metric in an evaluation result.
    let valueOf (name: string) (stats: (string * float) list) : float =
        stats |> List.find (fun (k, _) -> k = name) |> snd

    /// The run of a classifier: prints the header, trains `config` from a fresh state (seed 1), saves the
    /// run, writes the confusion matrix of the reloaded model's `toLabels` predictions and prints its test
    /// accuracy (the evaluation's `accuracyKey`) last. The validation data are the fit options' own
    /// (`Validation` or `ValidationSplit`) when they name some, else the test set (for the curves only).
    let fitClassifier
        (options: ZooOptions)
        (name: string)
        (title: string)
        (inputShape: int seq)
        (config: TrainConfig)
        (fitOptions: FitOptions)
        (evalBatch: int)
        (classNames: string list)
        (toLabels: Tensor -> int[])
        (accuracyKey: string)
        (xTrain: Tensor, yTrain: Tensor)
        (xTest: Tensor, yTest: Tensor)
        : ZooResult =
        let dir = folder options name
        header title inputShape config.Model
        let state = TrainStep.init config (Rng.seed 1) inputShape

        let ownValidation = fitOptions.Validation.IsSome || fitOptions.ValidationSplit > 0.0

        let fit =
            Train.fit
                config
                (if ownValidation then
                     fitOptions
                 else
                     { fitOptions with
                         Validation = Some(xTest, yTest)
                     })
                state
                (xTrain, yTrain)

        let seconds = reportTime fit.History fitOptions.BatchSize
        let reloaded, files = saveRun options name inputShape config.Model fit
        let predicted = Train.predict config reloaded evalBatch xTest |> toLabels
        let plot = confusion dir classNames predicted (labels yTest)

        let accuracy =
            Train.evaluate config reloaded evalBatch (xTest, yTest) |> valueOf accuracyKey

        metricLine "accuracy" accuracy

        {
            Name = name
            Metric = "accuracy"
            Value = accuracy
            Epochs = fit.History.Epochs.Length
            SecondsPerEpoch = seconds
            Parameters = Params.count fit.State.Params
            Details =
                match List.tryLast fit.History.Epochs with
                | Some last when ownValidation ->
                    last.Validation
                    |> Map.tryFind accuracyKey
                    |> Option.map (fun v -> $"validation {accuracyKey}", v)
                    |> Option.toList
                | _ -> []
            Files = files @ [ plot ]
        }

/// What `evaluate` and `predict` need to score a saved zoo model: its architecture, its held-out set and
/// its metric, rebuilt from the data exactly as the training run built them.
type ZooEvaluation =
    {
        /// The architecture (its parameters come from the checkpoint).
        Model: Model
        /// The shape of one input example.
        InputShape: int list
        /// The parameters' dtype (Float32, or Float64 for linreg).
        Dtype: Dtype
        /// The metric's name in the closing line (`test <Metric>: <value>`).
        Metric: string
        /// The held-out inputs and targets.
        Test: Tensor * Tensor
        /// The metric of the model's outputs on the whole held-out set: outputs -> targets -> value.
        Score: Tensor -> Tensor -> float
        /// One line describing held-out example i: outputs -> targets -> i -> text.
        Describe: Tensor -> Tensor -> int -> string
    }

/// `evaluate` and `predict` on a checkpoint written by `Zoo.saveRun`.
module ZooEvaluation =
    let private config (e: ZooEvaluation) =
        {
            Model = e.Model
            Loss = fun p _ -> p
            Optimizer = Optim.sgd 0.0
            Metrics = []
        }

    /// The training state stored in a checkpoint of the evaluation's model.
    let load (e: ZooEvaluation) (checkpoint: string) : TrainState =
        let fresh = TrainStep.init (config e) (Rng.seed 1) e.InputShape

        let like =
            { fresh with
                Params = Params.map (fun t -> t.ToDtype e.Dtype) fresh.Params
            }

        Zoo.loadCheckpoint checkpoint like

    /// The model's outputs on the held-out set under a checkpoint.
    let outputs (e: ZooEvaluation) (checkpoint: string) : Tensor =
        Train.predict (config e) (load e checkpoint) 256 (fst e.Test)

    /// Scores a checkpoint on the held-out set and prints the closing metric line; returns the value.
    let evaluate (e: ZooEvaluation) (checkpoint: string) : float =
        let value = e.Score (outputs e checkpoint) (snd e.Test)
        Zoo.metricLine e.Metric value
        value

    /// Prints the prediction for the first `count` held-out examples under a checkpoint; returns the lines.
    let predict (e: ZooEvaluation) (checkpoint: string) (count: int) : string list =
        let out = outputs e checkpoint
        let n = min count (fst e.Test).Shape[0]
        let lines = [ for i in 0 .. n - 1 -> e.Describe out (snd e.Test) i ]
        lines |> List.iter (printfn "%s")
        lines

    /// Describes example i of a classifier: predicted and true class names.
    let describeClass (classNames: string list) (outputs: Tensor) (targets: Tensor) (i: int) : string =
        let predicted = (Zoo.argmaxLabels outputs)[i]
        let actual = (Zoo.labels targets)[i]
        let mark = if predicted = actual then "" else "  <- wrong"
        $"example {i}: predicted {classNames[predicted]}, true {classNames[actual]}{mark}"

    /// Describes example i of a regression: predicted and true value.
    let describeValue (outputs: Tensor) (targets: Tensor) (i: int) : string =
        let p = (Tensor.reshape (outputs, [ -1 ])).ToArray<float>()
        let t = (Tensor.reshape (targets, [ -1 ])).ToArray<float>()
        $"example {i}: predicted %.3f{p[i]}, true %.3f{t[i]}"
