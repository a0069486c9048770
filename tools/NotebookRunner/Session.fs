/// One F# Interactive session that evaluates notebook cells in order and captures what each shows.
module NotebookRunner.Session

open System
open System.IO
open FSharp.Compiler.Interactive.Shell
open FSharp.Compiler.Diagnostics
open NotebookRunner.Notebook

/// Values passed to `display` by the cell being run (a stand-in for Polyglot Notebooks' `display`).
type Displayed private () =
    static let values = Collections.Generic.List<obj>()
    /// Records a value to show under the current cell.
    static member Add(value: obj) = values.Add value

    /// Takes the values recorded so far.
    static member Take() =
        let all = List.ofSeq values
        values.Clear()
        all

/// The HTML of a Plotly.NET chart (found by reflection, so the runner does not depend on Plotly.NET).
let private chartHtml (value: obj) : string option =
    let t = value.GetType()

    if isNull t.FullName || not (t.FullName.StartsWith "Plotly.NET.GenericChart") then
        None
    else
        t.Assembly.GetType("Plotly.NET.GenericChart")
        |> Option.ofObj
        |> Option.bind (fun m -> m.GetMethod("toEmbeddedHTML") |> Option.ofObj)
        |> Option.map (fun m -> m.Invoke(null, [| value |]) :?> string)

/// How a value appears in the notebook: text and, for charts, HTML.
let render (value: obj) : CellOutput =
    match chartHtml value with
    | Some html -> Display("Plotly chart", Some html)
    | None -> Display(sprintf "%A" value, None)

/// The outcome of one cell.
type CellResult =
    | Succeeded of CellOutput list
    | Failed of message: string * output: string

/// An F# Interactive session rooted in a folder (relative `#r` and `#load` paths resolve from there).
type NotebookSession(folder: string) =
    let fsiOut = new StringWriter()
    let fsiErr = new StringWriter()
    let config = FsiEvaluationSession.GetDefaultConfiguration()

    let session =
        Environment.CurrentDirectory <- folder

        FsiEvaluationSession.Create(
            config,
            [| "fsi.exe"; "--noninteractive"; "--nologo"; "--gui-"; "--multiemit-" |],
            new StringReader(""),
            fsiOut,
            fsiErr
        )

    let errors (diagnostics: FSharpDiagnostic[]) =
        diagnostics
        |> Array.filter (fun d -> d.Severity = FSharpDiagnosticSeverity.Error)
        |> Array.map (fun d -> $"line {d.StartLine}: {d.Message}")
        |> String.concat "\n"

    do
        let runner = typeof<Displayed>.Assembly.Location

        let preamble =
            $"#r @\"{runner}\"\nlet display (value: obj) = NotebookRunner.Session.Displayed.Add value"

        match session.EvalInteractionNonThrowing preamble with
        | Choice1Of2 _, _ -> ()
        | Choice2Of2 e, d -> failwith $"could not start the F# session: {e.Message} {errors d}"

    /// Runs one cell, capturing standard output, displayed values and the value of its last expression.
    member _.Run(code: string) : CellResult =
        let original = Console.Out
        let captured = new StringWriter()
        Console.SetOut captured

        let result, diagnostics =
            try
                session.EvalInteractionNonThrowing code
            finally
                Console.Out.Flush()
                Console.SetOut original

        let text = captured.ToString()
        let shown = Displayed.Take() |> List.map render

        match result with
        | Choice2Of2 e ->
            let detail = errors diagnostics
            let msg = if detail = "" then e.Message else detail

            let inner =
                if isNull e.InnerException then
                    ""
                else
                    $"\n{e.InnerException.Message}"

            Failed(msg + inner, text)
        | Choice1Of2 value ->
            let last =
                match value with
                | Some v when not (isNull v.ReflectionValue) && v.ReflectionType <> typeof<unit> ->
                    [ render v.ReflectionValue ]
                | _ -> []

            let stream = if text = "" then [] else [ Stream text ]
            Succeeded(stream @ shown @ last)

    interface IDisposable with
        member _.Dispose() = (session :> IDisposable).Dispose()
