/// The `bench` and `memory` commands: AD benchmarks against TorchSharp's autograd and the memory soak.
module Functional.Models.BenchCommand

open Functional.Models.Bench

let private usage () =
    printfn
        """usage: Functional.Models bench|memory [options]
  bench          time Functional against TorchSharp's autograd, print ratios, write artifacts/bench.json
                 options: --threads N (libtorch threads, default 1), --clock cpu|wall (default cpu:
                 process CPU time), --quick, --only NAME, --profile SECONDS (ours only, for a profiler),
                 --out FILE
  memory         soak: 20,000 steps of a naive valueAndGrad + SGD loop with no Dispose (also: bench
                 memory); prints the median step time and RSS of every 1,000 steps and a verdict,
                 writes artifacts/memory-soak.csv; options: --threads N, --steps N, --out FILE,
                 --train (the library's TrainStep.run with Adam on the MLP built from layers)"""

    1

/// Options of the bench and memory commands.
type private Options =
    {
        Threads: int
        Steps: int
        Out: string option
        Quick: bool
        Clock: Measure.Clock
        Only: string option
        Profile: float option
        Train: bool
    }

let rec private parse (o: Options) (args: string list) : Options option =
    match args with
    | [] -> Some o
    | "--threads" :: n :: rest -> parse { o with Threads = int n } rest
    | "--steps" :: n :: rest -> parse { o with Steps = int n } rest
    | "--out" :: f :: rest -> parse { o with Out = Some f } rest
    | "--quick" :: rest -> parse { o with Quick = true } rest
    | "--train" :: rest -> parse { o with Train = true } rest
    | "--only" :: name :: rest -> parse { o with Only = Some name } rest
    | "--profile" :: seconds :: rest -> parse { o with Profile = Some(float seconds) } rest
    | "--clock" :: "wall" :: rest -> parse { o with Clock = Measure.Wall } rest
    | "--clock" :: "cpu" :: rest -> parse { o with Clock = Measure.ProcessCpu } rest
    | _ -> None

let private defaults =
    {
        Threads = 1
        Steps = 20000
        Out = None
        Quick = false
        Clock = Measure.ProcessCpu
        Only = None
        Profile = None
        Train = false
    }

/// Runs `bench [options]` or `memory [options]`; returns the exit code.
let run (command: string) (args: string list) : int =
    match command, args with
    | "bench", "memory" :: rest
    | "memory", rest ->
        match parse defaults rest with
        | Some o ->
            MemorySoak.run o.Threads o.Train o.Steps 50.0 1.25 (defaultArg o.Out "artifacts/memory-soak.csv")
        | None -> usage ()
    | _, rest ->
        match parse defaults rest with
        | Some o ->
            match o.Profile with
            | Some seconds -> Benchmark.profile o.Threads (defaultArg o.Only "") seconds
            | None ->
                Benchmark.runAll o.Threads o.Clock o.Quick o.Only (defaultArg o.Out "artifacts/bench.json")
        | None -> usage ()
