namespace Functional

open System
open System.Collections.Generic
open System.Globalization
open System.IO
open Spectre.Console

/// Where training is within an epoch, as the loop reports it after each step (and at the end).
type EpochStatus =
    {
        /// Epoch number, from 1.
        Epoch: int
        /// Total number of epochs.
        Epochs: int
        /// Steps (batches) finished in this epoch.
        Step: int
        /// Steps in the epoch.
        Steps: int
        /// Samples processed in this epoch so far.
        Samples: int64
        /// Time since the epoch started.
        Elapsed: TimeSpan
        /// Running loss and metrics ("loss" first), and at the end the validation values ("val_loss", ...).
        Stats: (string * float) list
    }

/// How progress is shown: a live bar per epoch, one plain line per epoch, or nothing.
type ProgressMode =
    /// A Spectre.Console progress bar per epoch, redrawn as steps finish.
    | Live
    /// One plain line per finished epoch (for logs, redirected output and CI).
    | Quiet
    /// No output.
    | Silent

/// Receives progress from a training loop: `Step` after each step, `EpochDone` once per epoch.
type ProgressReporter =
    {
        /// Called after each step with the epoch's status so far.
        Step: EpochStatus -> unit
        /// Called once when an epoch (including its validation) has finished.
        EpochDone: EpochStatus -> unit
    }

/// Progress display for training: samples/s, ETA, loss and metrics.
module Progress =
    let private invariant = CultureInfo.InvariantCulture

    /// Samples per second so far in the epoch (0 before any time has passed).
    let throughput (s: EpochStatus) =
        if s.Elapsed.TotalSeconds <= 0.0 then
            0.0
        else
            float s.Samples / s.Elapsed.TotalSeconds

    /// Estimated time left in the epoch, from the mean step time so far (zero when done or not started).
    let eta (s: EpochStatus) =
        if s.Step <= 0 || s.Step >= s.Steps then
            TimeSpan.Zero
        else
            TimeSpan.FromTicks(s.Elapsed.Ticks / int64 s.Step * int64 (s.Steps - s.Step))

    /// A number with 4 significant decimals (scientific notation outside [1e-3, 1e5)).
    let formatValue (v: float) =
        let a = abs v

        if Double.IsNaN v || Double.IsInfinity v then
            v.ToString(invariant)
        elif a <> 0.0 && (a < 1e-3 || a >= 1e5) then
            v.ToString("0.###e+0", invariant)
        else
            v.ToString("0.0000", invariant)

    /// A duration as "42.1s", "3m05s" or "1h02m".
    let formatDuration (t: TimeSpan) =
        if t.TotalSeconds < 60.0 then
            t.TotalSeconds.ToString("0.0", invariant) + "s"
        elif t.TotalHours < 1.0 then
            $"{int t.TotalMinutes}m{t.Seconds:D2}s"
        else
            $"{int t.TotalHours}h{t.Minutes:D2}m"

    /// "loss 0.1234  accuracy 0.9712" for the stats of a status.
    let formatStats (stats: (string * float) list) =
        String.Join("  ", stats |> List.map (fun (name, v) -> $"{name} {formatValue v}"))

    let private rate (s: EpochStatus) =
        (throughput s).ToString("F0", invariant)

    let private padded (n: int) (total: int) =
        (string n).PadLeft((string total).Length)

    /// The line printed in quiet mode when an epoch ends:
    /// "epoch  3/10  loss 0.1234  val_loss 0.2345  1234 samples/s  4.2s".
    let formatEpochLine (s: EpochStatus) =
        let stats = formatStats s.Stats
        let stats = if stats = "" then "" else stats + "  "

        $"epoch {padded s.Epoch s.Epochs}/{s.Epochs}  {stats}{rate s} samples/s  {formatDuration s.Elapsed}"

    /// The text beside the live bar: "epoch 3/10  loss 0.1234  1234 samples/s  ETA 12.0s".
    let formatStepLine (s: EpochStatus) =
        let stats = formatStats s.Stats
        let stats = if stats = "" then "" else stats + "  "

        $"epoch {padded s.Epoch s.Epochs}/{s.Epochs}  {stats}{rate s} samples/s  ETA {formatDuration (eta s)}"

    /// True when the `CI` environment variable is "true" or "1" (any case).
    let isCI () =
        match Environment.GetEnvironmentVariable "CI" with
        | null -> false
        | v -> v.Equals("true", StringComparison.OrdinalIgnoreCase) || v = "1"

    /// Live on an interactive terminal, Quiet when output is redirected or CI is set.
    let detectMode () =
        if
            isCI ()
            || Console.IsOutputRedirected
            || not AnsiConsole.Profile.Capabilities.Interactive
        then
            Quiet
        else
            Live

    /// A reporter that writes one `formatEpochLine` per finished epoch to `writer`.
    let quietReporter (writer: TextWriter) : ProgressReporter =
        {
            Step = ignore
            EpochDone =
                fun s ->
                    writer.WriteLine(formatEpochLine s)
                    writer.Flush()
        }

    /// A reporter that shows nothing.
    let silentReporter: ProgressReporter = { Step = ignore; EpochDone = ignore }

    let private liveReporter (ctx: ProgressContext) : ProgressReporter =
        let tasks = Dictionary<int, ProgressTask>()

        let taskFor (s: EpochStatus) =
            match tasks.TryGetValue s.Epoch with
            | true, t -> t
            | _ ->
                let t = ctx.AddTask(Markup.Escape(formatStepLine s), true, float (max s.Steps 1))
                tasks[s.Epoch] <- t
                t

        {
            Step =
                fun s ->
                    let t = taskFor s
                    t.Value <- float s.Step
                    t.Description <- Markup.Escape(formatStepLine s)
            EpochDone =
                fun s ->
                    let t = taskFor s
                    t.Value <- t.MaxValue
                    t.Description <- Markup.Escape(formatEpochLine s)
                    t.StopTask()
        }

    /// Runs `body` with a reporter for `mode` (Live draws Spectre.Console bars on the console while
    /// `body` runs; Quiet prints to standard output) and returns its result.
    let run (mode: ProgressMode) (body: ProgressReporter -> 'T) : 'T =
        match mode with
        | Silent -> body silentReporter
        | Quiet -> body (quietReporter Console.Out)
        | Live ->
            AnsiConsole
                .Progress()
                .AutoClear(false)
                .Columns(
                    TaskDescriptionColumn(Alignment = Justify.Left),
                    ProgressBarColumn(),
                    PercentageColumn()
                )
                .Start(Func<ProgressContext, 'T>(fun ctx -> body (liveReporter ctx)))
