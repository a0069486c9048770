namespace Functional

open System.IO

/// What a callback sees at the end of an epoch.
type EpochEnd =
    {
        /// The epoch just finished (1-based).
        Epoch: int
        /// The history so far, including this epoch.
        History: History
        /// The training state after this epoch.
        State: TrainState
    }

/// What a callback asks the loop to do next.
type CallbackAction =
    /// Go on.
    | Continue
    /// Go on with a changed state (e.g. a reduced learning rate in the optimizer state).
    | ContinueWith of TrainState
    /// Stop training, with the reason.
    | Stop of reason: string
    /// Stop training and finish with this state (e.g. the best parameters), with the reason.
    | StopWith of TrainState * reason: string

/// A callback: `Start` makes a fresh handler for one `fit` call (so a callback value can be reused).
type Callback =
    {
        /// Name shown in messages.
        Name: string
        /// Creates the per-run handler called at the end of every epoch.
        Start: unit -> (EpochEnd -> CallbackAction)
        /// Called once when training ends, with the final state (for restoring or saving).
        Finish: TrainState -> TrainState
    }

/// Ready-made callbacks: early stopping, checkpoints, CSV logging, reduce-on-plateau.
module Callbacks =
    /// The value of a metric in one epoch: "val_loss"/"val_<metric>" from validation, else training.
    let private valueIn (name: string) (e: EpochRecord) : float option =
        if name.StartsWith "val_" then
            e.Validation |> Map.tryFind (name.Substring 4)
        else
            e.Train |> Map.tryFind name

    /// The value of a metric in the last epoch: "val_loss"/"val_<metric>" from validation, else training.
    let monitored (name: string) (h: History) : float option =
        List.tryLast h.Epochs |> Option.bind (valueIn name)

    let private better (mode: string) (a: float) (b: float) = if mode = "max" then a > b else a < b

    let private modeOf (monitor: string) =
        if monitor.Contains "loss" || monitor.Contains "error" || monitor.Contains "mse" then
            "min"
        else
            "max"

    /// Stops when `monitor` (e.g. "val_loss", "val_accuracy") has not improved for `patience` epochs;
    /// with `restoreBest` training ends with the parameters of the best epoch.
    let earlyStopping (monitor: string) (patience: int) (restoreBest: bool) : Callback =
        let mode = modeOf monitor
        let mutable best: (float * TrainState) option = None

        {
            Name = $"EarlyStopping({monitor})"
            Start =
                fun () ->
                    best <- None
                    let mutable wait = 0

                    fun e ->
                        match monitored monitor e.History with
                        | None -> Continue
                        | Some v ->
                            match best with
                            | Some(b, _) when not (better mode v b) ->
                                wait <- wait + 1

                                if wait >= patience then
                                    let reason =
                                        $"early stopping: {monitor} has not improved for {patience} epochs (best {b:G6})"

                                    match best with
                                    | Some(_, s) when restoreBest -> StopWith(s, reason)
                                    | _ -> Stop reason
                                else
                                    Continue
                            | _ ->
                                best <- Some(v, e.State)
                                wait <- 0
                                Continue
            Finish =
                fun s ->
                    match best with
                    | Some(_, b) when restoreBest -> b
                    | _ -> s
        }

    /// Saves the parameters (safetensors) to `folder`/last.safetensors after each epoch and, when `monitor`
    /// improves, to `folder`/best.safetensors; both writes are atomic. A resumed run (`FitOptions.History`)
    /// only replaces best.safetensors when it beats the epochs trained before it.
    let checkpoint (folder: string) (monitor: string) : Callback =
        let mode = modeOf monitor
        let mutable best = None

        let save (name: string) (e: EpochEnd) =
            Directory.CreateDirectory folder |> ignore

            let meta =
                Map
                    [
                        "epoch", string e.Epoch
                        "step", string e.State.Step
                        "rng", string e.State.Rng.Key
                    ]

            Checkpoint.save
                (Path.Combine(folder, name))
                (Params.toList e.State.Params
                 |> List.map (fun (k, t) -> "params." + k, t)
                 |> List.append (Params.toList e.State.ModelState |> List.map (fun (k, t) -> "state." + k, t))
                 |> List.append (Params.toList e.State.OptState |> List.map (fun (k, t) -> "opt." + k, t)))
                meta

        {
            Name = $"Checkpoint({folder})"
            Start =
                fun () ->
                    best <- None

                    fun e ->
                        save "last.safetensors" e

                        // A resumed run starts from the best of the epochs trained before it.
                        if best.IsNone then
                            let earlier =
                                e.History.Epochs
                                |> List.take (e.History.Epochs.Length - 1)
                                |> List.choose (valueIn monitor)

                            if not (List.isEmpty earlier) then
                                best <-
                                    Some(List.reduce (fun b v -> if better mode v b then v else b) earlier)

                        match monitored monitor e.History, best with
                        | Some v, Some b when not (better mode v b) -> ()
                        | Some v, _ ->
                            best <- Some v
                            save "best.safetensors" e
                        | None, _ -> ()

                        Continue
            Finish = id
        }

    /// Writes the history as CSV to `path` after every epoch (atomically).
    let csvLogger (path: string) : Callback =
        {
            Name = $"CsvLogger({path})"
            Start =
                fun () ->
                    fun e ->
                        AtomicFile.writeText path (History.toCsv e.History)
                        Continue
            Finish = id
        }

    /// Calls `Plateau.report` with `monitor` after every epoch, so a `Transform.reduceOnPlateau` inside the
    /// optimizer lowers the learning rate when the metric stalls.
    let reduceOnPlateau (monitor: string) : Callback =
        {
            Name = $"ReduceOnPlateau({monitor})"
            Start =
                fun () ->
                    fun e ->
                        match monitored monitor e.History with
                        | Some v ->
                            ContinueWith
                                { e.State with
                                    OptState = Plateau.report v e.State.OptState
                                }
                        | None -> Continue
            Finish = id
        }
