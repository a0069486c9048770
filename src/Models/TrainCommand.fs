/// `train` and `zoo` commands of the main job: run one zoo model, or all of them with a results table.
module Functional.Models.TrainCommand

open System
open System.IO
open Functional.Models.Zoo

let private usage () =
    printfn "usage: Functional.Models train <name> [--quick] [--epochs N] [--out DIR]"
    printfn "       Functional.Models zoo [--quick] [--out DIR] [--results FILE]"
    printfn "  train <name>   trains one zoo model and ends with its 'test <metric>: <value>' line"
    printfn "  zoo            trains every zoo model and writes a results table (default docs/RESULTS.md)"
    printfn "  --quick        a few steps only (for tests)"
    printfn "models:"

    for e in Registry.all do
        printfn "  %-18s %s (%s); target: %s" e.Name e.Description e.Dataset e.Target

    1

/// Parsed flags: options and the results path.
let private parse (args: string list) : Result<ZooOptions * string, string> =
    let rec go (args: string list) (o: ZooOptions, results: string) =
        match args with
        | [] -> Ok(o, results)
        | "--quick" :: rest -> go rest ({ o with Quick = true }, results)
        | "--epochs" :: n :: rest when fst (Int32.TryParse n) && int n > 0 ->
            go rest ({ o with Epochs = Some(int n) }, results)
        | "--out" :: dir :: rest -> go rest ({ o with OutputDir = dir }, results)
        | "--results" :: file :: rest -> go rest (o, file)
        | a :: _ -> Error $"unknown or incomplete option '{a}'"

    go args (ZooOptions.defaults, Path.Combine("docs", "RESULTS.md"))

/// The results table (markdown) of a list of runs.
let resultsTable (results: (Registry.ZooEntry * ZooResult) list) : string =
    let lines =
        [
            yield "| model | data | target | test metric | epochs | s / epoch | parameters |"
            yield "|---|---|---|---|---|---|---|"
            for e, r in results ->
                $"| `{e.Name}` | {e.Dataset} | {e.Target} | {r.Metric} {r.Value:F4} | {r.Epochs} | {r.SecondsPerEpoch:F1} | {r.Parameters:N0} |"
        ]

    String.Join("\n", lines) + "\n"

/// Runs `train <args>`; returns the exit code.
let train (args: string list) : int =
    match args with
    | name :: flags ->
        match Registry.tryFind name, parse flags with
        | Some entry, Ok(options, _) ->
            entry.Run options |> ignore
            0
        | None, _ ->
            eprintfn "unknown model '%s'" name
            usage ()
        | _, Error e ->
            eprintfn "%s" e
            usage ()
    | [] -> usage ()

/// Runs `zoo <args>`: every model, then the results table; returns the exit code.
let zoo (args: string list) : int =
    match parse args with
    | Error e ->
        eprintfn "%s" e
        usage ()
    | Ok(options, resultsPath) ->
        let results = [ for e in Registry.all -> e, e.Run options ]

        let command = if options.Quick then "zoo --quick" else "zoo"
        let os = Runtime.InteropServices.RuntimeInformation.OSDescription
        let date = DateTime.UtcNow.ToString "yyyy-MM-dd"

        let text =
            "# Zoo results\n\n"
            + $"Produced by `{command}` on {Environment.MachineName} ({Environment.ProcessorCount} cores, {os}), {date} UTC.\n\n"
            + resultsTable results

        Path.GetDirectoryName(Path.GetFullPath resultsPath)
        |> Directory.CreateDirectory
        |> ignore

        File.WriteAllText(resultsPath, text)
        printfn "%s" text
        printfn "wrote %s" resultsPath
        0
