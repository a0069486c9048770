namespace Functional

open System
open System.Diagnostics

/// What to do when a loss or gradient becomes NaN or Inf.
type NonFinitePolicy =
    /// Raise a NonFiniteException naming the step and the first non-finite parameter.
    | StopTraining
    /// Skip the update and go on.
    | SkipStep

/// Options of `Train.fit`; start from `FitOptions.defaults`.
type FitOptions =
    {
        /// Number of passes over the training data.
        Epochs: int
        /// Samples per step.
        BatchSize: int
        /// Shuffle the training data every epoch (with keys folded from the training state's Rng).
        Shuffle: bool
        /// Held-out (inputs, targets) evaluated after every epoch.
        Validation: (Tensor * Tensor) option
        /// Evaluate the validation data with the optimizer's weight average (`Transform.averageWeights`)
        /// instead of the raw parameters, so that early stopping and best-epoch checkpoints judge the average.
        ValidateAveraged: bool
        /// Fraction of the training data held out for validation when `Validation` is None (0 = none).
        ValidationSplit: float
        /// Callbacks run at the end of every epoch.
        Callbacks: Callback list
        /// Progress display; None picks Live on a terminal and Quiet when redirected or under CI=true.
        Progress: ProgressMode option
        /// NaN/Inf handling.
        OnNonFinite: NonFinitePolicy
        /// Learning rate at a step, recorded in the history (None records NaN).
        LearningRate: (int -> float) option
        /// Stop each epoch after this many steps (for quick runs); None runs whole epochs.
        MaxStepsPerEpoch: int option
        /// The first epoch's number (> 1 when resuming: epoch e shuffles with keys folded from e).
        StartEpoch: int
        /// The epochs trained before `StartEpoch` when resuming (History.empty otherwise): the loop appends
        /// to them, so callbacks (CSV log, best checkpoint) and the result cover the whole run.
        History: History
    }

    /// 10 epochs, batch 32, shuffled, no validation, no callbacks, automatic progress, stop on NaN.
    static member defaults =
        {
            Epochs = 10
            BatchSize = 32
            Shuffle = true
            Validation = None
            ValidateAveraged = false
            ValidationSplit = 0.0
            Callbacks = []
            Progress = None
            OnNonFinite = StopTraining
            LearningRate = None
            MaxStepsPerEpoch = None
            StartEpoch = 1
            History = History.empty
        }

/// The outcome of `Train.fit`: the final state and the history.
type FitResult =
    {
        /// The training state at the end (or the restored best one).
        State: TrainState
        /// Per-epoch losses and metrics.
        History: History
        /// Why training ended before the last epoch, if it did.
        StoppedEarly: string option
    }

/// The training loop (Keras-style `fit`, `evaluate`, `predict`) over pure training steps.
module Train =
    /// One pure training step (see TrainStep.run); raises on NaN/Inf.
    let step (config: TrainConfig) (state: TrainState) (batch: Tensor * Tensor) : StepResult =
        TrainStep.run config false state batch

    /// The state with its parameters replaced by the optimizer's weight average (kept by
    /// `Transform.averageWeights`): for evaluating, predicting with or saving the averaged model.
    let averaged (state: TrainState) : TrainState =
        { state with
            Params = WeightAverage.find state.OptState
        }

    /// Rows `idx` of `t` (as a batch).
    let private rows (t: Tensor) (idx: int[]) =
        Tensor.index (t, Tensor.create (Array.map int64 idx, Dtype.Int64))

    let private requireSameLength (op: string) (x: Tensor) (y: Tensor) =
        if x.Rank = 0 || y.Rank = 0 || x.Shape[0] <> y.Shape[0] then
            Errors.fail
                op
                $"inputs have shape {Model.shapeText x.Shape} and targets {Model.shapeText y.Shape}: their first (sample) dimensions differ"
                "Pass one target per sample: x of shape [N; ...] and y of shape [N; ...]."

    let private batchesOf (n: int) (batchSize: int) (order: int[]) =
        [
            for start in 0..batchSize .. n - 1 -> order[start .. (min n (start + batchSize)) - 1]
        ]

    /// (loss, metrics) of the model in evaluation mode over (x, y), in batches.
    let evaluate
        (config: TrainConfig)
        (state: TrainState)
        (batchSize: int)
        (x: Tensor, y: Tensor)
        : (string * float) list =
        requireSameLength "Train.evaluate" x y
        let n = x.Shape[0]
        let mutable total = 0.0
        let mutable metrics = config.Metrics |> List.map Metric.reset

        for idx in batchesOf n batchSize [| 0 .. n - 1 |] do
            let xb, yb = rows x idx, rows y idx

            let loss, pred =
                Raw.Memory.Scoped(
                    (fun () ->
                        let pred = Model.applyWith config.Model state.Params state.ModelState xb
                        (config.Loss pred yb).ToDouble(), pred),
                    fun (_, p) -> [ Ad.Value.raw p.Value ]
                )

            total <- total + loss * float idx.Length
            metrics <- metrics |> List.map (Metric.update pred yb)

        ("loss", total / float (max n 1))
        :: (metrics |> List.map (fun m -> m.Name, Metric.compute m))

    /// The model's outputs (evaluation mode) for all rows of x, computed in batches.
    let predict (config: TrainConfig) (state: TrainState) (batchSize: int) (x: Tensor) : Tensor =
        let n = x.Shape[0]

        batchesOf n batchSize [| 0 .. n - 1 |]
        |> List.map (fun idx -> Model.applyWith config.Model state.Params state.ModelState (rows x idx))
        |> fun parts -> Tensor.cat (parts, 0)

    /// Trains from `state` on (x, y): shuffled batches, validation, metrics, callbacks and progress.
    let fit
        (config: TrainConfig)
        (options: FitOptions)
        (state: TrainState)
        (x: Tensor, y: Tensor)
        : FitResult =
        requireSameLength "Train.fit" x y

        if options.BatchSize < 1 || options.Epochs < 0 then
            Errors.fail
                "Train.fit"
                $"batch size {options.BatchSize}, epochs {options.Epochs}"
                "Use BatchSize >= 1 and Epochs >= 0."

        if not (options.ValidationSplit >= 0.0 && options.ValidationSplit < 1.0) then
            Errors.fail "Train.fit" $"ValidationSplit = {options.ValidationSplit}" "Use a fraction in [0, 1)."

        if options.ValidateAveraged && (WeightAverage.tryFind state.OptState).IsNone then
            Errors.fail
                "Train.fit"
                "ValidateAveraged is set but the optimizer keeps no weight average"
                "Wrap the optimizer in Transform.averageWeights (decay, optimizer), or leave ValidateAveraged false."

        let (xTrain, yTrain), validation =
            match options.Validation with
            | Some v -> (x, y), Some v
            | None when options.ValidationSplit > 0.0 ->
                let n = x.Shape[0]
                let held = max 1 (int (float n * options.ValidationSplit))
                let cut = n - held

                (rows x [| 0 .. cut - 1 |], rows y [| 0 .. cut - 1 |]),
                Some(rows x [| cut .. n - 1 |], rows y [| cut .. n - 1 |])
            | None -> (x, y), None

        let n = xTrain.Shape[0]
        let mode = defaultArg options.Progress (Progress.detectMode ())
        let handlers = options.Callbacks |> List.map (fun c -> c.Start())

        Progress.run mode (fun reporter ->
            let rec epochLoop (epoch: int) (state: TrainState) (history: History) =
                if epoch > options.Epochs then
                    state, history, None
                else
                    let watch = Stopwatch.StartNew()

                    let order =
                        if options.Shuffle then
                            let r = Rng.fold epoch state.Rng

                            (Tensor.randn (r, [ n ], Float64)).ToArray<float>()
                            |> Array.mapi (fun i v -> v, i)
                            |> Array.sortBy fst
                            |> Array.map snd
                        else
                            [| 0 .. n - 1 |]

                    let batches =
                        let all = batchesOf n options.BatchSize order

                        match options.MaxStepsPerEpoch with
                        | Some k -> List.truncate k all
                        | None -> all

                    let mutable st = state
                    let mutable metrics = config.Metrics |> List.map Metric.reset
                    let mutable lossSum = 0.0
                    let mutable seen = 0L
                    let stepLosses = Collections.Generic.List<float>()

                    batches
                    |> List.iteri (fun k idx ->
                        let xb, yb = rows xTrain idx, rows yTrain idx
                        let r = TrainStep.run config (options.OnNonFinite = SkipStep) st (xb, yb)

                        if not r.Finite && options.OnNonFinite = StopTraining then
                            let where =
                                match r.NonFiniteParam with
                                | Some p -> $"the gradient of parameter '{p}' is not finite"
                                | None -> $"the loss is {r.Loss}"

                            raise (
                                NonFiniteException(
                                    st.Step + 1,
                                    $"Train.fit: at step {st.Step + 1} (epoch {epoch}, batch {k + 1}) {where}. Lower the learning rate, clip gradients (Transform.clipByGlobalNorm), check the data for NaN, or set OnNonFinite = SkipStep."
                                )
                            )

                        st <- r.State

                        if r.Finite then
                            lossSum <- lossSum + r.Loss * float idx.Length
                            seen <- seen + int64 idx.Length
                            stepLosses.Add r.Loss
                            metrics <- metrics |> List.map (Metric.update r.Predictions yb)

                        reporter.Step
                            {
                                Epoch = epoch
                                Epochs = options.Epochs
                                Step = k + 1
                                Steps = batches.Length
                                Samples = seen
                                Elapsed = watch.Elapsed
                                Stats = [ "loss", lossSum / float (max seen 1L) ]
                            })

                    let trainStats =
                        ("loss", lossSum / float (max seen 1L))
                        :: (metrics
                            |> List.map (fun m ->
                                m.Name,
                                (try
                                    Metric.compute m
                                 with _ ->
                                     nan)))

                    let validStats =
                        match validation with
                        | Some v when options.ValidateAveraged ->
                            evaluate config (averaged st) options.BatchSize v
                        | Some v -> evaluate config st options.BatchSize v
                        | None -> []

                    let record =
                        { History.epoch epoch trainStats validStats with
                            LearningRate =
                                (match options.LearningRate with
                                 | Some f -> f st.Step
                                 | None -> nan)
                            Duration = watch.Elapsed
                            StepLosses = List.ofSeq stepLosses
                        }

                    let history = History.add record history

                    reporter.EpochDone
                        {
                            Epoch = epoch
                            Epochs = options.Epochs
                            Step = batches.Length
                            Steps = batches.Length
                            Samples = seen
                            Elapsed = watch.Elapsed
                            Stats = trainStats @ (validStats |> List.map (fun (k, v) -> "val_" + k, v))
                        }

                    let info =
                        {
                            Epoch = epoch
                            History = history
                            State = st
                        }

                    let rec decide (hs: (EpochEnd -> CallbackAction) list) (s: TrainState) =
                        match hs with
                        | [] -> Choice1Of2 s
                        | h :: rest ->
                            match h { info with State = s } with
                            | Continue -> decide rest s
                            | ContinueWith s2 -> decide rest s2
                            | Stop reason -> Choice2Of2(s, reason)
                            | StopWith(s2, reason) -> Choice2Of2(s2, reason)

                    match decide handlers st with
                    | Choice1Of2 s -> epochLoop (epoch + 1) s history
                    | Choice2Of2(s, reason) -> s, history, Some reason

            let final, history, stopped =
                epochLoop (max 1 options.StartEpoch) state options.History

            let final = options.Callbacks |> List.fold (fun s c -> c.Finish s) final

            {
                State = final
                History = history
                StoppedEarly = stopped
            })
