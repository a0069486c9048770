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
  memory         RSS over 10,000 steps of a naive valueAndGrad + SGD loop with no Dispose (also:
                 bench memory); options: --threads N, --steps N"""

    1

/// Options of the bench and memory commands.
type private Options =
    {
        Threads: int
        Steps: int
        Out: string
        Quick: bool
        Clock: Measure.Clock
        Only: string option
        Profile: float option
    }

let rec private parse (o: Options) (args: string list) : Options option =
    match args with
    | [] -> Some o
    | "--threads" :: n :: rest -> parse { o with Threads = int n } rest
    | "--steps" :: n :: rest -> parse { o with Steps = int n } rest
    | "--out" :: f :: rest -> parse { o with Out = f } rest
    | "--quick" :: rest -> parse { o with Quick = true } rest
    | "--only" :: name :: rest -> parse { o with Only = Some name } rest
    | "--profile" :: seconds :: rest -> parse { o with Profile = Some(float seconds) } rest
    | "--clock" :: "wall" :: rest -> parse { o with Clock = Measure.Wall } rest
    | "--clock" :: "cpu" :: rest -> parse { o with Clock = Measure.ProcessCpu } rest
    | _ -> None

let private defaults =
    {
        Threads = 1
        Steps = 10000
        Out = "artifacts/bench.json"
        Quick = false
        Clock = Measure.ProcessCpu
        Only = None
        Profile = None
    }

/// Runs `bench [options]` or `memory [options]`; returns the exit code.
let run (command: string) (args: string list) : int =
    match command, args with
    | "bench", "memory" :: rest
    | "memory", rest ->
        match parse defaults rest with
        | Some o -> MemorySoak.run o.Threads o.Steps 50.0
        | None -> usage ()
    | _, rest ->
        match parse defaults rest with
        | Some o ->
            match o.Profile with
            | Some seconds -> Benchmark.profile o.Threads (defaultArg o.Only "") seconds
            | None -> Benchmark.runAll o.Threads o.Clock o.Quick o.Only o.Out
        | None -> usage ()
