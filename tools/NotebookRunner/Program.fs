/// Headless notebook runner: `dotnet run --project tools/NotebookRunner -- notebook.ipynb [--out folder]`.
/// Runs every F# code cell in order in one F# Interactive session, stops at the first failing cell with
/// the notebook name, cell number and error, and writes the executed notebook (text and chart outputs).
module NotebookRunner.Program

open System
open System.IO
open NotebookRunner.Notebook
open NotebookRunner.Session

let private usage =
    "usage: NotebookRunner <notebook.ipynb>... [--out <folder>]  (default folder: artifacts/notebooks)"

let private runOne (outFolder: string) (path: string) : bool =
    let full = Path.GetFullPath path
    let nb = load full
    let cells = codeCells nb
    let started = Diagnostics.Stopwatch.StartNew()
    use session = new NotebookSession(Path.GetDirectoryName full)

    let rec loop (remaining: CodeCell list) =
        match remaining with
        | [] -> true
        | cell :: rest ->
            match session.Run cell.Source with
            | Succeeded outputs ->
                setOutputs nb cell cell.Number outputs
                loop rest
            | Failed(message, output) ->
                setOutputs nb cell cell.Number [ Stream(output + message) ]
                eprintfn "%s: cell %d of %d failed:\n%s" path cell.Number cells.Length message

                let firstLines =
                    cell.Source.Split('\n')
                    |> Array.truncate 5
                    |> Array.map (fun l -> "    " + l)
                    |> String.concat "\n"

                eprintfn "the cell begins:\n%s" firstLines
                false

    let ok = loop cells
    let target = Path.Combine(outFolder, Path.GetFileName full)
    save target nb

    printfn
        "%s: %s, %d code cells in %.1f s; executed copy: %s"
        path
        (if ok then "ok" else "FAILED")
        cells.Length
        started.Elapsed.TotalSeconds
        target

    ok

[<EntryPoint>]
let main argv =
    let args = List.ofArray argv

    let rec parse (nbs: string list) (out: string) (rest: string list) =
        match rest with
        | "--out" :: folder :: more -> parse nbs folder more
        | ("-h" | "--help") :: _ -> None
        | nb :: more -> parse (nbs @ [ nb ]) out more
        | [] -> if nbs.IsEmpty then None else Some(nbs, out)

    match parse [] (Path.Combine("artifacts", "notebooks")) args with
    | None ->
        eprintfn "%s" usage
        2
    | Some(notebooks, out) ->
        let missing = notebooks |> List.filter (File.Exists >> not)

        if not missing.IsEmpty then
            eprintfn "notebook not found: %s" (String.Join(", ", missing))
            2
        else
            let outFolder = Path.GetFullPath out
            let results = notebooks |> List.map (runOne outFolder)
            if List.forall id results then 0 else 1
