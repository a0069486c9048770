/// Timing for benchmarks: warm-up, calibrated repetitions, interleaved samples of two contenders
/// and their medians (interleaving spreads machine noise evenly over both).
module Functional.Models.Bench.Measure

open System
open System.Diagnostics
open System.Runtime.InteropServices
open TorchSharp

/// Timings of two contenders measured in alternating samples.
type Timing =
    {
        /// Our median time per call in milliseconds.
        OursMs: float
        /// The peer's median time per call in milliseconds.
        PeerMs: float
        /// The median over sample pairs of ours / peer: adjacent samples see the same machine load, so
        /// this is steadier than the ratio of the medians when other processes come and go.
        Ratio: float
    }

/// One measured comparison, named, with its target.
type Comparison =
    {
        /// Name of the measure (a key of artifacts/bench.json).
        Name: string
        /// What is measured, for the printed table.
        Description: string
        /// The measured times and their ratio.
        Timing: Timing
        /// The ratio's target (ours / peer must not exceed it), if there is one.
        Target: float option
    }

/// The clock that samples are read from.
type Clock =
    /// Elapsed real time (what a user waits for).
    | Wall
    /// CPU time of the whole process (all threads): robust when other processes load the machine, and
    /// equal to wall time for single-threaded work on an idle machine.
    | ProcessCpu

[<Struct; StructLayout(LayoutKind.Sequential)>]
type private Timespec =
    val mutable Seconds: int64
    val mutable Nanoseconds: int64

[<DllImport("libc", EntryPoint = "clock_gettime")>]
extern int private clock_gettime(int clockId, Timespec& time)

/// Process CPU time in milliseconds (CLOCK_PROCESS_CPUTIME_ID).
let private processCpuMs () =
    let mutable t = Timespec()
    clock_gettime (2, &t) |> ignore
    float t.Seconds * 1e3 + float t.Nanoseconds * 1e-6

/// The current reading of a clock in milliseconds.
let now (clock: Clock) : float =
    match clock with
    | Wall ->
        Stopwatch.GetTimestamp()
        |> float
        |> (fun ticks -> ticks * 1e3 / float Stopwatch.Frequency)
    | ProcessCpu -> processCpuMs ()

/// How long and how often to measure.
type Settings =
    {
        /// Seconds of warm-up per contender.
        WarmupSeconds: float
        /// Target duration of one sample in milliseconds (calls per sample are calibrated to it).
        SampleMs: float
        /// Samples per contender; the median is reported.
        Samples: int
        /// The clock samples are read from.
        Clock: Clock
    }

/// Runs `call` inside a dispose scope, so that both contenders free their native memory the same way.
let private scopedCall (call: unit -> unit) () =
    use _ = torch.NewDisposeScope()
    call ()

/// Milliseconds per call over `calls` calls.
let private sample (clock: Clock) (calls: int) (call: unit -> unit) : float =
    let start = now clock

    for _ in 1..calls do
        call ()

    (now clock - start) / float calls

/// Runs `call` repeatedly for about `seconds` and then until the JIT has been quiet for half a second (at
/// most 10 × `seconds` more: 10 s for a full run, 2 s for `--quick`): .NET's tiered compilation recompiles
/// hot methods on a background thread for a few seconds, CPU time that belongs to start-up, not to the
/// steady state measured; returns the mean time per call in milliseconds.
let private warmUp (seconds: float) (call: unit -> unit) : float =
    let watch = Stopwatch.StartNew()
    let mutable calls = 0

    while calls < 3 || watch.Elapsed.TotalSeconds < seconds do
        call ()
        calls <- calls + 1

    let compiled () =
        System.Runtime.JitInfo.GetCompiledMethodCount false

    let limit = watch.Elapsed.TotalSeconds + 10.0 * seconds
    let mutable quietSince = watch.Elapsed.TotalSeconds
    let mutable count = compiled ()

    while watch.Elapsed.TotalSeconds - quietSince < 0.5
          && watch.Elapsed.TotalSeconds < limit do
        call ()
        calls <- calls + 1
        let now = compiled ()

        if now <> count then
            count <- now
            quietSince <- watch.Elapsed.TotalSeconds

    watch.Elapsed.TotalMilliseconds / float calls

/// The median of a non-empty array.
let median (xs: float[]) : float =
    let s = Array.sort xs
    let n = s.Length

    if n % 2 = 1 then
        s[n / 2]
    else
        0.5 * (s[n / 2 - 1] + s[n / 2])

/// Median milliseconds per call of `ours` and `peer`, and of their ratio, measured in alternating samples
/// after warm-up.
let compare (settings: Settings) (ours: unit -> unit) (peer: unit -> unit) : Timing =
    let ours = scopedCall ours
    let peer = scopedCall peer
    let oursEstimate = warmUp settings.WarmupSeconds ours
    let peerEstimate = warmUp settings.WarmupSeconds peer

    let callsFor estimate =
        max 1 (int (settings.SampleMs / max estimate 1e-6))

    let oursCalls, peerCalls = callsFor oursEstimate, callsFor peerEstimate
    let oursSamples = Array.zeroCreate settings.Samples
    let peerSamples = Array.zeroCreate settings.Samples

    for i in 0 .. settings.Samples - 1 do
        // alternate which contender goes first, so neither always follows the other's garbage
        if i % 2 = 0 then
            oursSamples[i] <- sample settings.Clock oursCalls ours
            peerSamples[i] <- sample settings.Clock peerCalls peer
        else
            peerSamples[i] <- sample settings.Clock peerCalls peer
            oursSamples[i] <- sample settings.Clock oursCalls ours

    {
        OursMs = median oursSamples
        PeerMs = median peerSamples
        Ratio = median (Array.map2 (/) oursSamples peerSamples)
    }

/// Garbage-collects fully between measures, so one measure's garbage is not billed to the next.
let settle () =
    GC.Collect()
    GC.WaitForPendingFinalizers()
    GC.Collect()
