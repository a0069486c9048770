/// The `memory` command: a naive training loop (valueAndGrad plus an SGD update written with Tensor
/// operators, no Dispose anywhere) whose resident memory must stay flat over 10,000 steps.
module Functional.Models.Bench.MemorySoak

open System
open System.IO
open TorchSharp
open Functional

/// Resident set size of this process in megabytes (VmRSS in /proc/self/status).
let residentMb () : float =
    File.ReadLines "/proc/self/status"
    |> Seq.tryFind (fun l -> l.StartsWith "VmRSS:")
    |> Option.map (fun l -> float (l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0)
    |> Option.defaultValue nan

/// Runs the loop for `steps` steps and prints RSS at 1k, 5k and 10k steps (and every `steps / 10`);
/// returns 0 when the growth after warm-up (from step 1,000 to the end) is under `limitMb`.
let run (threads: int) (steps: int) (limitMb: float) : int =
    torch.set_num_threads threads
    let batches = Array.init 8 (fun i -> Data.matrix (100 + i) 128 784 1.0)
    let targets = Array.init 8 (fun i -> Data.oneHot (200 + i) 128 10)
    let b1 = Data.ours (Data.matrix 3 1 256 0.1)
    let w2 = Data.ours (Data.matrix 4 256 128 (1.0 / sqrt 256.0))
    let b2 = Data.ours (Data.matrix 5 1 128 0.1)
    let w3 = Data.ours (Data.matrix 6 128 10 (1.0 / sqrt 128.0))
    let b3 = Data.ours (Data.matrix 7 1 10 0.1)
    let mutable w1 = Data.ours (Data.matrix 2 784 256 (1.0 / sqrt 784.0))
    let warmUpStep = min 1000 steps
    let checkpoints = set [ 1000; 5000; 10000; steps ]
    let every = max 1 (steps / 10)
    let mutable baseline = nan
    let mutable last = nan
    let watch = Diagnostics.Stopwatch.StartNew()
    printfn $"memory soak: {steps} steps of valueAndGrad (784-256-128-10 MLP, batch 128) + SGD, no Dispose"
    printfn $"start: RSS {residentMb ():F1} MB"

    for step in 1..steps do
        // a fresh batch tensor every step, as a naive user loop would make it
        let x = Tensor.create batches[step % batches.Length]
        let y = Tensor.create targets[step % targets.Length]

        let loss (w1: Tensor) =
            let h1 = Tensor.relu (Tensor.matmul (x, w1) + b1)
            let h2 = Tensor.relu (Tensor.matmul (h1, w2) + b2)
            let d = Tensor.matmul (h2, w3) + b3 - y
            Tensor.mean (d * d)

        let value, grad = Diff.valueAndGrad loss w1
        w1 <- w1 - 0.05 * grad

        if step = warmUpStep then
            baseline <- residentMb ()

        if checkpoints.Contains step || step % every = 0 then
            last <- residentMb ()
            let mark = if checkpoints.Contains step then " *" else ""

            printfn
                $"step {step, 6}: RSS {last, 8:F1} MB  loss {value.ToDouble():F5}  ({watch.Elapsed.TotalSeconds:F1} s){mark}"

    let growth = last - baseline
    let status = if growth < limitMb then "ok" else "MISSED"

    printfn
        $"RSS growth after warm-up (step {warmUpStep} -> {steps}): {growth:F1} MB (target < {limitMb:F0} MB): {status}"

    if growth < limitMb then 0 else 1
