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

let private secondsText (v: float) =
    if v < 1.0 then invariant "0.0###" v else invariant "0.0" v

/// A result's secondary measurements as text (baselines, hit rates).
let private detailsText (r: ZooResult) =
    r.Details
    |> List.map (fun (k, v) ->
        let text = if abs v < 1e-3 then invariant "0.0e0" v else f4 v
        k.Replace('_', ' ') + " " + text)
    |> fun l -> String.Join("; ", l)

/// The results table (markdown) of a list of runs, with the PyTorch peers of `peersPath` where there are some
/// and links to the plots (file names relative to the table, by model).
let resultsTable
    (results: (Registry.ZooEntry * ZooResult) list)
    (peersPath: string)
    (plots: Map<string, string list>)
    : string =
    let peers = pytorchPeers peersPath

    let peerText name =
        match peers.TryFind name with
        | Some(acc, s, epochs, _, _) -> $"accuracy {f4 acc}, {f1 s} s / epoch ({epochs} epochs)"
        | None -> ""

    let plotLinks name =
        plots.TryFind name
        |> Option.defaultValue []
        |> List.map (fun (f: string) ->
            let kind = Path.GetFileNameWithoutExtension(f).Substring(name.Length + 1)
            $"[{kind}](results/{f})")
        |> fun links -> String.Join(", ", links)

    let lines =
        [
            yield
                "| model | data | target | test metric | epochs | s / epoch | parameters | other measurements | PyTorch 1.13 (same architecture) | plots |"
            yield "|---|---|---|---|---|---|---|---|---|---|"
            for e, r in results ->
                $"| `{e.Name}` | {e.Dataset} | {e.Target} | **{r.Metric} {f4 r.Value}** | {r.Epochs} | {secondsText r.SecondsPerEpoch} | {r.Parameters:N0} | {detailsText r} | {peerText e.Name} | {plotLinks e.Name} |"
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

/// A Plotly HTML file with its embedded plotly.js (3.5 MB) replaced by the same version from the plotly CDN,
/// small enough to commit next to the results table.
let private withCdnPlotly (html: string) : string =
    let marker = "* plotly.js v"
    let start = html.IndexOf "<script type=\"text/javascript\" charset=\"utf-8\">/**"
    let versionAt = html.IndexOf marker

    if start < 0 || versionAt < 0 then
        html
    else
        let version =
            html.Substring(versionAt + marker.Length, 16).Split([| '\n'; '\r'; ' ' |])[0]

        let stop = html.IndexOf("</script>", start) + "</script>".Length

        let cdn =
            $"<script src=\"https://cdn.plot.ly/plotly-{version}.min.js\" charset=\"utf-8\"></script>"

        html.Substring(0, start) + cdn + html.Substring stop

/// Copies each run's history plot and confusion matrix (with plotly.js from its CDN) into `folder`, as
/// `<name>-history.html` and `<name>-confusion.html`; returns the file names by model.
let publishPlots (outputDir: string) (folder: string) (results: ZooResult list) : Map<string, string list> =
    Directory.CreateDirectory folder |> ignore

    [
        for r in results ->
            r.Name,
            [
                for kind in [ "history"; "confusion" ] do
                    let source = Path.Combine(outputDir, r.Name, kind + ".html")

                    if File.Exists source then
                        let target = $"{r.Name}-{kind}.html"

                        File.WriteAllText(
                            Path.Combine(folder, target),
                            withCdnPlotly (File.ReadAllText source)
                        )

                        yield target
            ]
    ]
    |> Map.ofList

/// Writes the results table of `results` to `resultsPath` and their plots (from `outputDir`) into the
/// `results` folder next to it.
let writeResults
    (outputDir: string)
    (resultsPath: string)
    (command: string)
    (results: (Registry.ZooEntry * ZooResult) list)
    =
    let date = DateTime.UtcNow.ToString "yyyy-MM-dd"
    let peers = Path.Combine("bench", "pytorch-results.json")

    let folder =
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath resultsPath), "results")

    let plots = publishPlots outputDir folder (List.map snd results)

    let text =
        "# Zoo results\n\n"
        + $"Produced by `{command}` on {machine ()}, {date} (UTC).\n"
        + "Seconds per epoch include the evaluation of the held-out set after each epoch; the machine was shared\n"
        + "with other jobs, so times are noisy. Notes on the data splits, baselines and timings: [zoo.md](zoo.md).\n\n"
        + resultsTable results peers plots

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

    writeResults options.OutputDir resultsPath command results
    0
