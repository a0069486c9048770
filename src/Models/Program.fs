/// The command-line main job of Functional.
module Functional.Models.Program

open System
open Argu
open Functional
open Functional.Models.Cli
open Functional.Models.Zoo

let private parser =
    ArgumentParser.Create<MainArgs>(programName = "Functional.Models")

let private listAll () =
    printfn "models:"
    printfn "  main-job      CNN on the embedded 8x8 digits (the default command)"

    for e in Zoo.Registry.all do
        printfn "  %-17s %s (%s)" e.Name e.Description e.Dataset

    printfn "datasets:"

    for d in Data.Catalog.all do
        printfn "  %-14s %s" d.Name d.Title

    0

/// The zoo model that wrote a checkpoint (its "model" metadata) and whether it was a quick run.
let private zooModelOf (checkpoint: string) : (Zoo.Registry.ZooEntry * bool) option =
    let metadata = (Checkpoint.load checkpoint).Metadata

    metadata.TryFind "model"
    |> Option.bind Zoo.Registry.tryFind
    |> Option.map (fun entry -> entry, metadata.TryFind "quick" = Some "True")

let private runArgu (argv: string[]) =
    let args = parser.ParseCommandLine(argv, raiseOnUsage = true)
    let seed = args.GetResult(Seed, defaultValue = 0)

    match args.TryGetSubCommand() with
    | Some(Train t) ->
        match t.GetResult TrainArgs.Model with
        | "main-job" ->
            MainJob.run
                { MainJob.defaults with
                    Quick = t.Contains TrainArgs.Quick
                    Epochs = t.GetResult(TrainArgs.Epochs, defaultValue = MainJob.defaults.Epochs)
                    Out = t.GetResult(TrainArgs.Out, defaultValue = MainJob.defaults.Out)
                    Seed = seed
                }
            |> ignore

            0
        | other ->
            TrainCommand.train
                other
                { Zoo.ZooOptions.defaults with
                    Quick = t.Contains TrainArgs.Quick
                    Epochs = t.TryGetResult TrainArgs.Epochs
                    OutputDir = t.GetResult(TrainArgs.Out, defaultValue = Zoo.ZooOptions.defaults.OutputDir)
                }
    | Some(Zoo z) ->
        TrainCommand.zoo
            { Zoo.ZooOptions.defaults with
                Quick = z.Contains ZooArgs.Quick
                OutputDir = z.GetResult(ZooArgs.Out, defaultValue = Zoo.ZooOptions.defaults.OutputDir)
            }
            (z.GetResult(Results, defaultValue = IO.Path.Combine("docs", "RESULTS.md")))
            (z.Contains Report)
    | Some(Evaluate e) ->
        let checkpoint = e.GetResult EvaluateArgs.Checkpoint

        match zooModelOf checkpoint with
        | Some(entry, quick) -> ZooEvaluation.evaluate (entry.Evaluation quick) checkpoint |> ignore
        | None -> MainJob.evaluate checkpoint seed |> ignore

        0
    | Some(Predict p) ->
        let checkpoint = p.GetResult PredictArgs.Checkpoint
        let count = p.GetResult(Count, defaultValue = 20)

        match zooModelOf checkpoint with
        | Some(entry, quick) -> ZooEvaluation.predict (entry.Evaluation quick) checkpoint count |> ignore
        | None -> MainJob.predict checkpoint count seed

        0
    | Some List -> listAll ()
    | _ ->
        MainJob.run
            { MainJob.defaults with
                Quick = args.Contains Quick
                Epochs = args.GetResult(Epochs, defaultValue = MainJob.defaults.Epochs)
                Out = args.GetResult(Out, defaultValue = MainJob.defaults.Out)
                Seed = seed
                Resume = args.Contains Resume
            }
        |> ignore

        0

[<EntryPoint>]
let main argv =
    try
        Library.ensureNative ()

        match List.ofArray argv with
        | "data" :: rest -> DataCommand.run rest
        | ("bench" | "memory") as command :: rest -> BenchCommand.run command rest
        | _ -> runArgu argv
    with
    | :? ArguParseException as e ->
        let help = e.ErrorCode = ErrorCode.HelpText
        (if help then Console.Out else Console.Error).WriteLine(e.Message + extraUsage)
        if help then 0 else 2
    | :? ArgumentException as e ->
        eprintfn "error: %s" e.Message
        2
