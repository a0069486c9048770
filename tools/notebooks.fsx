/// Generates the notebooks from the scripts: notebooks/NN-name.ipynb from scripts/NN-name.fsx.
///   dotnet fsi tools/notebooks.fsx           writes every notebook (without outputs)
///   dotnet fsi tools/notebooks.fsx --check   exits 1 when a notebook differs from its script
/// Scripts use the "percent" cell format (as jupytext and VS Code): a line `// %% [markdown]` starts a
/// markdown cell (its lines are `//` comments), `// %%` an F# code cell, and `// %% [script]` a code cell
/// kept out of the notebook (the scripts' `show`, which saves charts as HTML). A code cell whose last
/// line ends with `|> show "name"` ends with the chart itself in the notebook, so it renders inline.
/// Every script starts with the same setup code cell (references, `quick`, the chart formatter for .NET
/// Interactive); both modes fail when one differs.

open System
open System.IO
open System.Text
open System.Text.RegularExpressions

type Cell =
    | Markdown of string list
    | Code of string list
    | ScriptOnly

let root = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))
let scriptsDir = Path.Combine(root, "scripts")
let notebooksDir = Path.Combine(root, "notebooks")
let showCall = Regex("""^(.*?)\s*\|>\s*show\s+"[^"]*"\s*$""")

let fail (file: string) (message: string) : 'T =
    eprintfn "%s: %s" file message
    exit 2

/// Drops blank lines at both ends.
let trim (lines: string list) =
    let blank (l: string) = String.IsNullOrWhiteSpace l
    lines |> List.skipWhile blank |> List.rev |> List.skipWhile blank |> List.rev

/// The cells of a script, in order.
let parse (file: string) : Cell list =
    let lines =
        File.ReadAllText(file).Replace("\r\n", "\n").TrimEnd('\n').Split('\n')
        |> List.ofArray

    let rec cells (acc: Cell list) (lines: string list) =
        match lines with
        | [] -> List.rev acc
        | header :: rest when header.StartsWith "// %%" ->
            let body = rest |> List.takeWhile (fun l -> not (l.StartsWith "// %%"))
            let after = rest |> List.skip body.Length
            let body = trim body

            let cell =
                match header.Trim() with
                | "// %% [markdown]" ->
                    body
                    |> List.map (fun l ->
                        if l = "//" then ""
                        elif l.StartsWith "// " then l.Substring 3
                        else fail file $"markdown line is not a '// ' comment: {l}")
                    |> Markdown
                | "// %%" -> Code body
                | "// %% [script]" -> ScriptOnly
                | h -> fail file $"unknown cell marker '{h}'"

            cells (cell :: acc) after
        | l :: _ when String.IsNullOrWhiteSpace l -> cells acc (List.tail lines)
        | l :: _ -> fail file $"text before the first cell marker: {l}"

    cells [] lines

/// The notebook version of a code cell: a final `x |> show "name"` becomes `x`.
let notebookCode (file: string) (lines: string list) =
    let shown = lines |> List.filter showCall.IsMatch

    match shown with
    | [] -> lines
    | [ last ] when List.last lines = last ->
        let kept = showCall.Match(last).Groups[1].Value
        let front = List.take (lines.Length - 1) lines

        if String.IsNullOrWhiteSpace kept then
            front
        else
            front @ [ kept ]
    | _ -> fail file "`|> show \"...\"` may only end the last line of a cell"

let json (s: string) =
    let sb = StringBuilder("\"")

    for c in s do
        match c with
        | '"' -> sb.Append "\\\"" |> ignore
        | '\\' -> sb.Append "\\\\" |> ignore
        | '\n' -> sb.Append "\\n" |> ignore
        | '\r' -> sb.Append "\\r" |> ignore
        | '\t' -> sb.Append "\\t" |> ignore
        | c when c < ' ' -> sb.AppendFormat("\\u{0:x4}", int c) |> ignore
        | c -> sb.Append c |> ignore

    sb.Append('"').ToString()

let source (indent: string) (lines: string list) =
    let items =
        lines
        |> List.mapi (fun i l -> json (if i < lines.Length - 1 then l + "\n" else l))

    if items.IsEmpty then
        "[]"
    else
        "[\n"
        + String.Join(",\n", items |> List.map (fun i -> indent + " " + i))
        + "\n"
        + indent
        + "]"

let codeMetadata =
    """{
    "dotnet_interactive": {
     "language": "fsharp"
    },
    "polyglot_notebook": {
     "kernelName": "fsharp"
    }
   }"""

let notebookMetadata =
    """{
  "kernelspec": {
   "display_name": ".NET (F#)",
   "language": "F#",
   "name": ".net-fsharp"
  },
  "language_info": {
   "file_extension": ".fs",
   "mimetype": "text/x-fsharp",
   "name": "F#",
   "pygments_lexer": "fsharp",
   "version": "8.0"
  },
  "polyglot_notebook": {
   "kernelInfo": {
    "defaultKernelName": "fsharp",
    "items": [
     {
      "aliases": [],
      "languageName": "F#",
      "name": "fsharp"
     }
    ]
   }
  }
 }"""

/// The notebook JSON (nbformat 4.5, no outputs) of a script.
let notebook (file: string) =
    let cells =
        parse file
        |> List.choose (function
            | Markdown lines -> Some("markdown", lines)
            | Code lines -> Some("code", notebookCode file lines)
            | ScriptOnly -> None)
        |> List.mapi (fun i (kind, lines) ->
            let id = $"cell-{i + 1:D2}"
            let src = source "   " lines

            if kind = "markdown" then
                $"  {{\n   \"cell_type\": \"markdown\",\n   \"id\": \"{id}\",\n   \"metadata\": {{}},\n   \"source\": {src}\n  }}"
            else
                $"  {{\n   \"cell_type\": \"code\",\n   \"execution_count\": null,\n   \"id\": \"{id}\",\n   \"metadata\": {codeMetadata},\n   \"outputs\": [],\n   \"source\": {src}\n  }}")

    "{\n \"cells\": [\n"
    + String.Join(",\n", cells)
    + $"\n ],\n \"metadata\": {notebookMetadata},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}}\n"

let check = fsi.CommandLineArgs |> Array.contains "--check"
let scripts = Directory.GetFiles(scriptsDir, "*.fsx") |> Array.sort

/// The first code cell of a script: the setup cell every notebook shares.
let setupCell (file: string) =
    parse file
    |> List.tryPick (function
        | Code lines -> Some lines
        | _ -> None)

let differentSetup =
    scripts
    |> Array.filter (fun s -> setupCell s <> setupCell scripts[0])
    |> Array.map (fun s -> Path.GetRelativePath(root, s))

if differentSetup.Length > 0 then
    eprintfn
        "%s: the first code cell differs from the one of %s; every script starts with the same setup cell"
        (String.Join(", ", differentSetup))
        (Path.GetRelativePath(root, scripts[0]))

    exit 1

let stale =
    [
        for script in scripts do
            let target =
                Path.Combine(notebooksDir, Path.GetFileNameWithoutExtension script + ".ipynb")

            let text = notebook script
            let current = if File.Exists target then File.ReadAllText target else ""

            if current <> text then
                if check then
                    eprintfn
                        "%s is out of date: run 'dotnet fsi tools/notebooks.fsx'"
                        (Path.GetRelativePath(root, target))
                else
                    File.WriteAllText(target, text)
                    printfn "wrote %s" (Path.GetRelativePath(root, target))

                target
    ]

if check && not stale.IsEmpty then
    exit 1

if check then
    printfn "%d notebooks match their scripts" scripts.Length
