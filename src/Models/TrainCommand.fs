/// `train <zoo model>` and `zoo`: run one zoo model, or all of them and write the results table.
module Functional.Models.TrainCommand

open System
open System.IO
open System.Text.Json
open Functional.Models.Zoo

/// The file each run leaves next to its checkpoint, read back by `zoo --report`.
let resultFile (outputDir: string) (name: string) =
    Path.Combine(outputDir, name, "result.json")

/// Writes a run's result as JSON into `OutputDir/<name>/result.json`.
let saveResult (outputDir: string) (r: ZooResult) =
    let dto =
        dict
            [
                "name", box r.Name
                "metric", box r.Metric
                "value", box r.Value
                "epochs", box r.Epochs
                "secondsPerEpoch", box r.SecondsPerEpoch
                "parameters", box r.Parameters
                "details", box (dict r.Details)
                "files", box (List.toArray r.Files)
                "ompNumThreads", box (Environment.GetEnvironmentVariable "OMP_NUM_THREADS")
                "finished", box (DateTime.UtcNow.ToString "yyyy-MM-dd HH:mm")
            ]

    File.WriteAllText(
        resultFile outputDir r.Name,
        JsonSerializer.Serialize(dto, JsonSerializerOptions(WriteIndented = true))
    )

/// Reads a result written by `saveResult`.
let loadResult (path: string) : ZooResult =
    use doc = JsonDocument.Parse(File.ReadAllText path)
    let root = doc.RootElement

    {
        Name = root.GetProperty("name").GetString()
        Metric = root.GetProperty("metric").GetString()
        Value = root.GetProperty("value").GetDouble()
        Epochs = root.GetProperty("epochs").GetInt32()
        SecondsPerEpoch = root.GetProperty("secondsPerEpoch").GetDouble()
        Parameters = root.GetProperty("parameters").GetInt32()
        Details =
            [
                for p in root.GetProperty("details").EnumerateObject() -> p.Name, p.Value.GetDouble()
            ]
        Files = [ for f in root.GetProperty("files").EnumerateArray() -> f.GetString() ]
    }

/// Trains one zoo model and saves its result; returns the exit code.
let train (name: string) (options: ZooOptions) : int =
    match Registry.tryFind name with
    | Some entry ->
        let r = entry.Run options
        saveResult options.OutputDir r
        0
    | None ->
        eprintfn "unknown model '%s'; the zoo has: %s" name (String.Join(", ", Registry.names))
        2

/// PyTorch peer numbers from bench/pytorch-results.json (written by bench/pytorch_cnn.py), by model name:
/// accuracy, seconds per epoch, epochs, torch version and threads.
let private pytorchPeers (path: string) : Map<string, float * float * int * string * int> =
    if not (File.Exists path) then
        Map.empty
    else
        use doc = JsonDocument.Parse(File.ReadAllText path)

        [
            for m in doc.RootElement.GetProperty("models").EnumerateObject() ->
                let v = m.Value

                m.Name,
                (v.GetProperty("accuracy").GetDouble(),
                 v.GetProperty("seconds_per_epoch").GetDouble(),
                 v.GetProperty("epochs").GetInt32(),
                 doc.RootElement.GetProperty("torch").GetString(),
                 doc.RootElement.GetProperty("threads").GetInt32())
        ]
        |> Map.ofList

let private invariant (format: string) (v: float) =
    v.ToString(format, Globalization.CultureInfo.InvariantCulture)

let private f4 = invariant "0.0000"
let private f1 = invariant "0.0"
let private secondsText = invariant "0.0##"

/// A result's secondary measurements as text (baselines, hit rates).
let private detailsText (r: ZooResult) =
    r.Details
    |> List.map (fun (k, v) ->
        let text = if abs v < 1e-3 then invariant "0.0e0" v else f4 v
        k.Replace('_', ' ') + " " + text)
    |> fun l -> String.Join("; ", l)

/// The results table (markdown) of a list of runs, with the PyTorch peers of `peers` where there are some.
let resultsTable (results: (Registry.ZooEntry * ZooResult) list) (peersPath: string) : string =
    let peers = pytorchPeers peersPath

    let peerText name =
        match peers.TryFind name with
        | Some(acc, s, epochs, _, _) -> $"accuracy {f4 acc}, {f1 s} s / epoch ({epochs} epochs)"
        | None -> ""

    let lines =
        [
            yield
                "| model | data | target | test metric | epochs | s / epoch | parameters | other measurements | PyTorch 1.13 (same architecture) |"
            yield "|---|---|---|---|---|---|---|---|---|"
            for e, r in results ->
                $"| `{e.Name}` | {e.Dataset} | {e.Target} | **{r.Metric} {f4 r.Value}** | {r.Epochs} | {secondsText r.SecondsPerEpoch} | {r.Parameters:N0} | {detailsText r} | {peerText e.Name} |"
        ]

    let torchLine =
        peers
        |> Map.toList
        |> List.tryHead
        |> Option.map (fun (_, (_, _, _, version, threads)) ->
            $"\nPyTorch peers: torch {version} on the CPU with OpenBLAS (openmp), {threads} thread(s), run by `bench/pytorch_cnn.py`.\n")
        |> Option.defaultValue ""

    String.Join("\n", lines) + "\n" + torchLine

/// The machine a table was produced on: CPU model, cores, OS, libtorch threads.
let machine () : string =
    let cpu =
        try
            File.ReadLines "/proc/cpuinfo"
            |> Seq.tryFind (fun l -> l.StartsWith "model name")
            |> Option.map (fun l -> (l.Split(':', 2)[1]).Trim())
            |> Option.defaultValue "unknown CPU"
        with _ ->
            "unknown CPU"

    let threads =
        match Environment.GetEnvironmentVariable "OMP_NUM_THREADS" with
        | null
        | "" -> "libtorch default threads"
        | n -> $"OMP_NUM_THREADS={n}"

    $"{cpu}, {Environment.ProcessorCount} cores, {Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, {threads}"

/// Writes the results table of `results` to `resultsPath`.
let writeResults (resultsPath: string) (command: string) (results: (Registry.ZooEntry * ZooResult) list) =
    let date = DateTime.UtcNow.ToString "yyyy-MM-dd"
    let peers = Path.Combine("bench", "pytorch-results.json")

    let text =
        "# Zoo results\n\n"
        + $"Produced by `{command}` on {machine ()}, {date} (UTC).\n"
        + "Seconds per epoch include the evaluation of the held-out set after each epoch.\n\n"
        + resultsTable results peers

    Path.GetDirectoryName(Path.GetFullPath resultsPath)
    |> Directory.CreateDirectory
    |> ignore

    File.WriteAllText(resultsPath, text)
    printfn "%s" text
    printfn "wrote %s" resultsPath

/// Runs `zoo`: every model (or, with `report`, the results saved by earlier runs), then the results table.
let zoo (options: ZooOptions) (resultsPath: string) (report: bool) : int =
    let results =
        [
            for e in Registry.all do
                if report then
                    let file = resultFile options.OutputDir e.Name

                    if File.Exists file then
                        yield e, loadResult file
                    else
                        eprintfn "no result for %s (%s): run 'train %s' first" e.Name file e.Name
                else
                    let r = e.Run options
                    saveResult options.OutputDir r
                    yield e, r
        ]

    let command =
        if report then
            "zoo --report (results of 'train <name>' runs)"
        elif options.Quick then
            "zoo --quick"
        else
            "zoo"

    writeResults resultsPath command results
    0
