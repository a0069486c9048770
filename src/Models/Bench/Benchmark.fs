/// The `bench` command: times Functional against TorchSharp's autograd in the same run, prints a table
/// of ratios and writes artifacts/bench.json.
module Functional.Models.Bench.Benchmark

open System
open System.IO
open System.Text.Json.Nodes
open TorchSharp
open Functional.Models.Bench.Measure

/// Times one workload against its peer.
let private run (settings: Settings) (w: Workloads.Workload) : Comparison =
    settle ()

    {
        Name = w.Name
        Description = w.Description
        Timing = compare settings w.Ours w.Peer
        Target = w.Target
    }

/// Times our hvp against our grad, and TorchSharp's double backward against its grad.
let private hvpOverGrad (settings: Settings) : Comparison list =
    let oursGrad, peerGrad = Workloads.tanhGrads ()
    settle ()
    let ours = compare settings (Workloads.oursTanhHvp ()) oursGrad
    settle ()
    let peer = compare settings (Workloads.peerTanhHvp ()) peerGrad

    [
        {
            Name = "hvp_over_grad"
            Description = "our hvp / our grad, sum(tanh(W x)^2)"
            Timing = ours
            Target = Some 3.0
        }
        {
            Name = "hvp_over_grad_peer"
            Description = "TorchSharp double backward / its grad"
            Timing = peer
            Target = None
        }
    ]

let private verdict (c: Comparison) =
    match c.Target with
    | Some t when c.Timing.Ratio <= t -> $"<= {t:F2} ok"
    | Some t -> $"<= {t:F2} MISSED"
    | None -> ""

/// Prints the comparisons as a table, with ops/second for the scalar chains.
let private print (threads: int) (clock: Clock) (results: Comparison list) =
    let clockText =
        match clock with
        | Wall -> "wall-clock"
        | ProcessCpu -> "process CPU time"

    printfn ""

    printfn
        $"Functional vs TorchSharp autograd (libtorch, CPU, {threads} thread(s)); median ms per call ({clockText})"

    printfn ""
    printfn "%-20s %-44s %10s %10s %8s  %s" "measure" "what" "ours ms" "peer ms" "ratio" "target"
    printfn "%s" (String('-', 110))

    for c in results do
        printfn
            "%-20s %-44s %10.4f %10.4f %8.3f  %s"
            c.Name
            c.Description
            c.Timing.OursMs
            c.Timing.PeerMs
            c.Timing.Ratio
            (verdict c)

    printfn ""

    for c in results do
        if c.Name.StartsWith "scalar_ops" then
            let perSecond ms =
                float Workloads.chainLength / ms * 1000.0

            printfn
                $"{c.Name}: ours {perSecond c.Timing.OursMs:N0} ops/s, TorchSharp {perSecond c.Timing.PeerMs:N0} ops/s"

    printfn
        "ratio: median of ours / peer over interleaved sample pairs (steadier than ours ms / peer ms under load)"

    printfn
        "hvp_over_grad: 'ours ms' is our hvp and 'peer ms' our grad; hvp_over_grad_peer: the same for TorchSharp"

/// Writes `{ name: { ours_ms, peer_ms, ratio } }` to `path`.
let private writeJson (path: string) (results: Comparison list) =
    let root = JsonObject()

    for c in results do
        let entry = JsonObject()
        entry["ours_ms"] <- JsonValue.Create c.Timing.OursMs
        entry["peer_ms"] <- JsonValue.Create c.Timing.PeerMs
        entry["ratio"] <- JsonValue.Create c.Timing.Ratio
        root[c.Name] <- entry

    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath path))
    |> ignore

    File.WriteAllText(path, root.ToJsonString(Text.Json.JsonSerializerOptions(WriteIndented = true)) + "\n")

/// Runs each side of the workloads named `name*` alone for `seconds` (ours, then the peer's) and prints
/// time, managed allocation and collections per call: a target for a profiler such as `perf record`.
let profile (threads: int) (name: string) (seconds: float) : int =
    torch.set_num_threads threads

    let run (label: string) (call: unit -> unit) =
        settle ()
        let start = now ProcessCpu
        let watch = Diagnostics.Stopwatch.StartNew()
        let bytes0 = GC.GetAllocatedBytesForCurrentThread()
        let gcs0, gen2s0 = GC.CollectionCount 0, GC.CollectionCount 2
        let pause0 = GC.GetTotalPauseDuration()
        let mutable calls = 0

        while watch.Elapsed.TotalSeconds < seconds do
            use _ = torch.NewDisposeScope()
            call ()
            calls <- calls + 1

        let perCall x = x / float calls
        let cpu = perCall (now ProcessCpu - start)
        let bytes = perCall (float (GC.GetAllocatedBytesForCurrentThread() - bytes0))
        let gcs, gen2s = GC.CollectionCount 0 - gcs0, GC.CollectionCount 2 - gen2s0
        let pause = (GC.GetTotalPauseDuration() - pause0).TotalMilliseconds

        printfn
            $"{label}: {calls} calls, {perCall watch.Elapsed.TotalMilliseconds:F4} ms ({cpu:F4} ms CPU) and {bytes:F0} managed bytes per call, {gcs} collections ({gen2s} full, {pause:F0} ms paused)"

    for w in
        [
            Workloads.mlp ()
            Workloads.mlpBare ()
            Workloads.tanh512 ()
            Workloads.hvp ()
            Workloads.scalarOps ()
            Workloads.scalarGrad ()
            TrainSteps.mlp ()
            TrainSteps.cnn ()
        ] do
        if w.Name.StartsWith name then
            run $"{w.Name} ours" w.Ours
            run $"{w.Name} peer" w.Peer

    0

/// Runs the benchmarks (those whose name starts with `only`, if given) with `threads` libtorch threads on
/// `clock`, prints the table and writes `jsonPath`.
let runAll (threads: int) (clock: Clock) (quick: bool) (only: string option) (jsonPath: string) : int =
    torch.set_num_threads threads

    let settings =
        if quick then
            {
                WarmupSeconds = 0.2
                SampleMs = 20.0
                Samples = 5
                Clock = clock
            }
        else
            {
                WarmupSeconds = 1.0
                SampleMs = 25.0
                Samples = 41
                Clock = clock
            }

    let measures =
        [
            Workloads.mlp
            Workloads.mlpBare
            Workloads.tanh512
            Workloads.hvp
            Workloads.scalarOps
            Workloads.scalarGrad
            TrainSteps.mlp
            TrainSteps.cnn
        ]

    let results =
        [
            for make in measures do
                let w = make ()
                let wanted (name: string) = only |> Option.forall name.StartsWith

                if wanted w.Name then
                    eprintf $"measuring {w.Name} ... "
                    let c = run settings w
                    eprintfn $"{c.Timing.Ratio:F3}"
                    yield c

                if w.Name = "grad_tanh_512" && wanted "hvp_over_grad" then
                    eprintf "measuring hvp_over_grad ... "
                    let cs = hvpOverGrad settings
                    eprintfn $"{cs.Head.Timing.Ratio:F3}"
                    yield! cs
        ]

    print threads clock results
    writeJson jsonPath results
    printfn $"wrote {jsonPath}"
    0
