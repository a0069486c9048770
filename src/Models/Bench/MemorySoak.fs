/// The `memory` command: a soak benchmark. A naive training loop (valueAndGrad plus an SGD update written
/// with Tensor operators, no Dispose anywhere) runs 20,000 steps; resident memory and step time must stay
/// flat. Prints the median step time and the RSS of every 1,000-step window, writes the curve as CSV, and
/// ends with a verdict line.
module Functional.Models.Bench.MemorySoak

open System
open System.Diagnostics
open System.IO
open TorchSharp
open Functional

/// Resident set size of this process in megabytes (VmRSS in /proc/self/status).
let residentMb () : float =
    File.ReadLines "/proc/self/status"
    |> Seq.tryFind (fun l -> l.StartsWith "VmRSS:")
    |> Option.map (fun l -> float (l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0)
    |> Option.defaultValue nan

/// The median of a non-empty array.
let private median (xs: float[]) =
    let s = Array.sort xs
    let n = s.Length

    if n % 2 = 1 then
        s[n / 2]
    else
        (s[n / 2 - 1] + s[n / 2]) / 2.0

/// One window of the soak: the steps it covers, its median step time and the RSS at its end.
type Window =
    {
        FirstStep: int
        LastStep: int
        MedianMs: float
        RssMb: float
    }

/// Writes the windows as CSV (window_end_step, median_step_ms, rss_mb).
let private writeCsv (path: string) (windows: Window list) =
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath path))
    |> ignore

    let lines =
        "first_step,last_step,median_step_ms,rss_mb"
        :: (windows
            |> List.map (fun w -> $"{w.FirstStep},{w.LastStep},{w.MedianMs:F4},{w.RssMb:F1}"))

    File.WriteAllLines(path, lines)

/// The naive loop: valueAndGrad of a 784-256-128-10 MLP loss w.r.t. its first weight plus an SGD update
/// written with Tensor operators; a step returns its loss.
let private naiveLoop () : string * (int -> float) =
    let batches = Array.init 8 (fun i -> Data.matrix (100 + i) 128 784 1.0)
    let targets = Array.init 8 (fun i -> Data.oneHot (200 + i) 128 10)
    let b1 = Data.ours (Data.matrix 3 1 256 0.1)
    let w2 = Data.ours (Data.matrix 4 256 128 (1.0 / sqrt 256.0))
    let b2 = Data.ours (Data.matrix 5 1 128 0.1)
    let w3 = Data.ours (Data.matrix 6 128 10 (1.0 / sqrt 128.0))
    let b3 = Data.ours (Data.matrix 7 1 10 0.1)
    let w1 = ref (Data.ours (Data.matrix 2 784 256 (1.0 / sqrt 784.0)))

    let step (i: int) =
        // a fresh batch tensor every step, as a naive user loop would make it
        let x = Tensor.create batches[i % batches.Length]
        let y = Tensor.create targets[i % targets.Length]

        let loss (w1: Tensor) =
            let h1 = Tensor.relu (Tensor.matmul (x, w1) + b1)
            let h2 = Tensor.relu (Tensor.matmul (h1, w2) + b2)
            let d = Tensor.matmul (h2, w3) + b3 - y
            Tensor.mean (d * d)

        let value, grad = Diff.valueAndGrad loss w1.Value
        w1.Value <- w1.Value - 0.05 * grad
        value.ToDouble()

    "valueAndGrad (784-256-128-10 MLP, batch 128) + SGD, no Dispose", step

/// The library's training step: TrainStep.run (DiffParams gradient of all parameters, Adam update) on the
/// same MLP built from layers; a step returns its loss.
let private trainLoop () : string * (int -> float) =
    let batches = Array.init 8 (fun i -> Data.matrix (100 + i) 128 784 1.0)
    let targets = Array.init 8 (fun i -> Data.oneHot (200 + i) 128 10)

    let config =
        {
            Model =
                Layers.dense 256
                => Layers.relu
                => Layers.dense 128
                => Layers.relu
                => Layers.dense 10
            Loss = fun pred y -> Losses.mse (pred, y)
            Optimizer = Optim.adam (Rate.constant 1e-3)
            Metrics = []
        }

    let state = ref (TrainStep.init config (Rng.seed 1) [ 784 ])

    let step (i: int) =
        let x = Tensor.create batches[i % batches.Length]
        let y = Tensor.create targets[i % targets.Length]
        let r = TrainStep.run config false state.Value (x, y)
        state.Value <- r.State
        r.Loss

    "TrainStep.run (784-256-128-10 MLP from layers, batch 128, all parameters) + Adam", step

/// Runs the loop (`train` picks TrainStep.run + Adam, otherwise the naive loop) for `steps` steps
/// (windows of 1,000 steps, fewer for short runs), prints every window's median step time and RSS, writes
/// them to `csv`, and returns 0 when the RSS growth after the first window is under `limitMb` and the step
/// time has not grown: the fastest window median of the last quarter of windows is at most `slowdown` times
/// the fastest of the first quarter (other load on the machine only adds time, so a real slowdown lifts the
/// fastest windows too, while a comparison of two single windows flips with the machine's load).
let run (threads: int) (train: bool) (steps: int) (limitMb: float) (slowdown: float) (csv: string) : int =
    torch.set_num_threads threads
    let description, runStep = if train then trainLoop () else naiveLoop ()
    let window = max 1 (min 1000 (steps / 2))
    let times = Array.zeroCreate<float> steps
    let mutable windows = []
    let total = Stopwatch.StartNew()
    let watch = Stopwatch()

    printfn $"memory soak: {steps} steps of {description}, {threads} libtorch thread(s)"

    printfn $"start: RSS {residentMb ():F1} MB"
    printfn "   steps          median step   RSS at end   loss      elapsed"

    for step in 1..steps do
        watch.Restart()
        let lossValue = runStep step
        times[step - 1] <- watch.Elapsed.TotalMilliseconds

        if step % window = 0 || step = steps then
            let first = (step - 1) / window * window + 1

            let w =
                {
                    FirstStep = first
                    LastStep = step
                    MedianMs = median times[first - 1 .. step - 1]
                    RssMb = residentMb ()
                }

            windows <- w :: windows

            printfn
                $"{first, 6}-{step, -6}  {w.MedianMs, 8:F3} ms  {w.RssMb, 8:F1} MB  {lossValue, 8:F5}  {total.Elapsed.TotalSeconds, 6:F1} s"

    let windows = List.rev windows
    writeCsv csv windows
    let first, last = List.head windows, List.last windows
    let growth = last.RssMb - first.RssMb
    let quarter = max 1 (windows.Length / 4)

    let fastest (ws: Window list) =
        ws |> List.map (fun w -> w.MedianMs) |> List.min

    let early = fastest (List.take quarter windows)
    let late = fastest (List.skip (windows.Length - quarter) windows)
    let ratio = late / early
    let rssOk = growth < limitMb
    let timeOk = ratio <= slowdown
    let rss = windows |> List.map (fun w -> $"{w.RssMb:F0}") |> String.concat " "
    printfn $"RSS curve (MB, one value per {window} steps): {rss}"

    printfn
        $"first {window} steps: median {first.MedianMs:F3} ms; last {window} steps: median {last.MedianMs:F3} ms"

    printfn
        $"fastest window median: {early:F3} ms in the first {quarter} window(s), {late:F3} ms in the last {quarter} (ratio {ratio:F2})"

    printfn
        $"RSS: {first.RssMb:F1} MB after step {first.LastStep}, {last.RssMb:F1} MB after step {last.LastStep}"

    printfn $"wrote {csv}"
    let verdict (ok: bool) = if ok then "flat" else "GROWS"
    let signed = (if growth >= 0.0 then "+" else "") + growth.ToString "F1"

    printfn
        $"verdict: resident memory {verdict rssOk} ({signed} MB after the first window, limit {limitMb:F0} MB), step time {verdict timeOk} (fastest late / early window {ratio:F2}, limit {slowdown:F2})"

    if rssOk && timeOk then 0 else 1
