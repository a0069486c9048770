/// The command-line main job of Functional.
module Functional.Models.Program

open System
open Argu
open Functional
open Functional.Models.Cli

let private parser =
    ArgumentParser.Create<MainArgs>(programName = "Functional.Models")

let private listAll () =
    printfn "models:"
    printfn "  main-job      CNN on the embedded 8x8 digits (the default command)"
    printfn "datasets:"

    for d in Data.Catalog.all do
        printfn "  %-14s %s" d.Name d.Title

    0

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
            eprintfn "unknown model '%s'; run 'list' to see the models." other
            2
    | Some(Evaluate e) ->
        MainJob.evaluate (e.GetResult EvaluateArgs.Checkpoint) seed |> ignore
        0
    | Some(Predict p) ->
        MainJob.predict (p.GetResult PredictArgs.Checkpoint) (p.GetResult(Count, defaultValue = 20)) seed
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
