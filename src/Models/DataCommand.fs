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
    printfn "  data bench [batches]      MNIST loader throughput with prefetching off and on"
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

/// A stand-in training step (a 784-128-10 MLP, softmax cross-entropy, reverse-mode gradient) to compare
/// the loader's throughput with.
let private mlpStep (w1: Tensor) (w2: Tensor) (x: Tensor, y: Tensor) =
    let n = x.Shape[0]
    let x = Tensor.reshape (x, [ n; 784 ])
    let target = OneHot.encodeTensor 10 y

    let loss (w1: Tensor) =
        let logits = Tensor.matmul (Tensor.tanh (Tensor.matmul (x, w1)), w2)
        let logZ = Tensor.log (Tensor.sum (Tensor.exp logits, 1, true))
        -(Tensor.sum (target * (logits - logZ))) / float n

    Diff.grad loss w1 |> ignore

let private bench (batches: int) =
    let mnist = Mnist.load ()
    let collate = Batch.classification Mnist.imageShape

    let loader prefetch =
        mnist.Train
        |> DataLoader.create 128 collate
        |> DataLoader.shuffle (Rng.seed 0)
        |> DataLoader.prefetch prefetch

    let time (work: (Tensor * Tensor) -> unit) (l: DataLoader<_, _>) =
        let sw = Stopwatch.StartNew()
        let mutable count = 0

        for b in DataLoader.epoch 0 l |> Seq.truncate batches do
            work b
            count <- count + 1

        float count / sw.Elapsed.TotalSeconds

    let w1 =
        Tensor.create (Array2D.init 784 128 (fun i j -> 0.01 * sin (float (i * 128 + j))))

    let w2 =
        Tensor.create (Array2D.init 128 10 (fun i j -> 0.01 * cos (float (i * 10 + j))))

    let step = mlpStep w1 w2
    let fixedBatch = DataLoader.batches (loader 0) |> Seq.head

    let stepAlone () =
        let sw = Stopwatch.StartNew()

        for _ in 1..batches do
            step fixedBatch

        float batches / sw.Elapsed.TotalSeconds

    time step (loader 0) |> ignore // warm up the loader and the step
    let off = time ignore (loader 0)
    let on = time ignore (loader 2)
    let stepOnly = stepAlone ()
    let steps = time step (loader 0)
    let overlapped = time step (loader 2)

    printfn
        "MNIST loader, batch 128, %d batches (shuffled, collated to Float32 [128; 1; 28; 28] + Int64 [128])"
        batches

    printfn "  loader alone, prefetch off: %8.1f batches/s" off
    printfn "  loader alone, prefetch on:  %8.1f batches/s" on
    printfn "  MLP 784-128-10 training step alone, one fixed batch: %8.1f steps/s" stepOnly
    printfn "  loader + step, prefetch off: %8.1f steps/s" steps
    printfn "  loader + step, prefetch on:  %8.1f steps/s" overlapped
    printfn "  loader / step throughput ratio: %.1fx (target >= 5x against a CNN step)" (on / stepOnly)
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
