/// `data` commands of the main job: list, fetch and benchmark datasets.
module Functional.Models.DataCommand

open System
open System.Diagnostics
open Functional
open Functional.Data

let private usage () =
    printfn "usage: Functional.Models data <command>"
    printfn "  data list                 the known datasets, their sources and whether they are installed"

    printfn
        "  data fetch <name>...      install datasets into %s (or $%s)"
        (DataCache.directory ())
        DataCache.environmentVariable

    printfn "  data fetch all            install every dataset"
    printfn "  data verify <name>...     re-check the SHA-256 of installed datasets ('all' for every one)"

    printfn
        "  data bench [batches]      MNIST loader throughput (prefetch off/on) against a cnn-mnist training step"

    printfn "datasets: %s" (String.concat ", " Catalog.names)
    1

let private list () =
    for d in Catalog.all do
        let state =
            if d.Embedded then "embedded"
            elif DataCache.isInstalled d.Name then "installed"
            else "not fetched"

        let size = d.Files |> List.sumBy (fun f -> f.Bytes)
        printfn "%-14s %-12s %8d KiB  %s" d.Name state (size / 1024L) d.Title
        printfn "%-14s from %s; %s" "" (string d.Package) d.License

    0

let private fetch (names: string list) =
    let names = if names = [ "all" ] then Catalog.names else names

    match names |> List.filter (fun n -> (Catalog.tryFind n).IsNone) with
    | [] ->
        let failed =
            Fetch.tryDatasets (printfn "%s") names
            |> List.choose (fun (name, result) ->
                match result with
                | Error e -> Some(name, e.Message)
                | Ok _ -> None)

        for name, message in failed do
            eprintfn "data fetch failed for %s: %s" name message

        if failed.IsEmpty then
            0
        else
            eprintfn
                "data fetch: %d of %d dataset(s) failed: %s"
                failed.Length
                names.Length
                (failed |> List.map fst |> String.concat ", ")

            1
    | unknown ->
        eprintfn "unknown dataset(s): %s" (String.concat ", " unknown)
        usage ()

let private verify (names: string list) =
    let names = if names = [ "all" ] then Catalog.names else names
    let root = DataCache.directory ()

    let bad =
        names
        |> List.filter (fun n ->
            let ok = Fetch.verifyIn root n

            printfn
                "%-14s %s"
                n
                (if ok then
                     "verified"
                 else
                     "MISSING OR DAMAGED: run 'data fetch " + n + "'")

            not ok)

    if bad.IsEmpty then 0 else 1

/// One cnn-mnist training step per call (the zoo's model, cross-entropy, Adam), carrying the state on
/// like a training run does.
let private cnnStep () : (Tensor * Tensor) -> unit =
    let config =
        {
            Model = Zoo.CnnMnist.model
            Loss = fun logits y -> Losses.crossEntropy (logits, y)
            Optimizer = Optim.adam (Rate.constant 1e-3)
            Metrics = []
        }

    let mutable state = TrainStep.init config (Rng.seed 0) Mnist.imageShape

    fun batch -> state <- (TrainStep.run config false state batch).State

/// Issue 7's target: the loader delivers at least this many batches per CNN training step time.
let private loaderTarget = 5.0

let private bench (batches: int) =
    let batchSize = 64 // cnn-mnist's batch size
    let mnist = Mnist.load ()
    let collate = Batch.classification Mnist.imageShape

    let loader prefetch =
        mnist.Train
        |> DataLoader.create batchSize collate
        |> DataLoader.shuffle (Rng.seed 0)
        |> DataLoader.prefetch prefetch

    // Items per second of `work` over the first `count` batches of an epoch.
    let time (count: int) (work: (Tensor * Tensor) -> unit) (l: DataLoader<_, _>) =
        let sw = Stopwatch.StartNew()
        let mutable n = 0

        for b in DataLoader.epoch 0 l |> Seq.truncate count do
            work b
            n <- n + 1

        float n / sw.Elapsed.TotalSeconds

    let step = cnnStep ()
    let steps = max 10 (batches / 8) // a CNN step is much slower than a batch
    let fixedBatch = DataLoader.batches (loader 0) |> Seq.head

    let stepAlone () =
        let sw = Stopwatch.StartNew()

        for _ in 1..steps do
            step fixedBatch

        float steps / sw.Elapsed.TotalSeconds

    time 5 step (loader 0) |> ignore // warm up the loader and the step
    let off = time batches ignore (loader 0)
    let on = time batches ignore (loader 2)
    let stepOnly = stepAlone ()
    let withOff = time steps step (loader 0)
    let withOn = time steps step (loader 2)
    let ratio = on / stepOnly

    printfn
        "MNIST loader, batch %d, %d batches (shuffled, collated to Float32 [%d; 1; 28; 28] + Int64 [%d])"
        batchSize
        batches
        batchSize
        batchSize

    printfn "  loader alone, prefetch off: %8.1f batches/s" off
    printfn "  loader alone, prefetch on:  %8.1f batches/s" on
    printfn "  cnn-mnist training step alone (Adam), one fixed batch, %d steps: %8.1f steps/s" steps stepOnly
    printfn "  loader + step, prefetch off: %8.1f steps/s" withOff
    printfn "  loader + step, prefetch on:  %8.1f steps/s" withOn

    printfn
        "  loader batches/s / CNN steps/s: %.1fx (target >= %gx: the loader must keep up with a CNN training step) %s"
        ratio
        loaderTarget
        (if ratio >= loaderTarget then "ok" else "BELOW TARGET")

    0

/// Runs `data <args>`; returns the exit code.
let run (args: string list) : int =
    match args with
    | [ "list" ] -> list ()
    | "fetch" :: (_ :: _ as names) -> fetch names
    | "verify" :: (_ :: _ as names) -> verify names
    | [ "bench" ] -> bench 400
    | [ "bench"; n ] when fst (Int32.TryParse n) -> bench (int n)
    | _ -> usage ()
