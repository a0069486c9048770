/// Reading and writing Jupyter notebooks (.ipynb, nbformat 4) as JSON.
module NotebookRunner.Notebook

open System.IO
open System.Text.Json.Nodes

/// One code cell: its index among all cells, its number among code cells, and its source.
type CodeCell =
    {
        /// Index in the notebook's `cells` array.
        Index: int
        /// 1-based number among the code cells (what error messages show).
        Number: int
        /// The cell's source text.
        Source: string
    }

/// A cell's output, in nbformat terms.
type CellOutput =
    /// Text written to standard output.
    | Stream of text: string
    /// A rich value: text/plain and optional text/html.
    | Display of plain: string * html: string option

/// Loads a notebook as a mutable JSON tree.
let load (path: string) : JsonObject =
    match JsonNode.Parse(File.ReadAllText path) with
    | :? JsonObject as o -> o
    | _ -> failwith $"{path} is not a notebook (its JSON root is not an object)"

let private sourceText (node: JsonNode) =
    match node with
    | :? JsonArray as lines -> lines |> Seq.map (fun l -> l.GetValue<string>()) |> String.concat ""
    | null -> ""
    | n -> n.GetValue<string>()

let private language (cell: JsonObject) =
    let meta = cell["metadata"]

    let tryPath (path: string list) =
        path
        |> List.fold
            (fun (n: JsonNode) key ->
                match n with
                | :? JsonObject as o -> o[key]
                | _ -> null)
            meta
        |> function
            | null -> None
            | n -> Some(n.GetValue<string>())

    tryPath [ "dotnet_interactive"; "language" ]
    |> Option.orElse (tryPath [ "polyglot_notebook"; "kernelName" ])
    |> Option.defaultValue "fsharp"

/// The F# code cells, in order (cells of other languages, e.g. markdown or C#, are skipped).
let codeCells (nb: JsonObject) : CodeCell list =
    let cells = nb["cells"].AsArray()

    [
        for i in 0 .. cells.Count - 1 do
            let c = cells[i].AsObject()

            if c["cell_type"].GetValue<string>() = "code" && language c = "fsharp" then
                yield i, sourceText c["source"]
    ]
    |> List.mapi (fun k (i, s) ->
        {
            Index = i
            Number = k + 1
            Source = s
        })

let private lines (text: string) =
    let parts = text.Split('\n')

    JsonArray(
        parts
        |> Array.mapi (fun i p -> JsonValue.Create(if i < parts.Length - 1 then p + "\n" else p) :> JsonNode)
    )

/// Replaces a cell's outputs and execution count.
let setOutputs (nb: JsonObject) (cell: CodeCell) (count: int) (outputs: CellOutput list) =
    let c = (nb["cells"].AsArray()[cell.Index]).AsObject()
    c["execution_count"] <- JsonValue.Create count

    let json =
        outputs
        |> List.map (fun o ->
            match o with
            | Stream text ->
                JsonObject(
                    dict
                        [
                            "output_type", JsonValue.Create "stream" :> JsonNode
                            "name", JsonValue.Create "stdout"
                            "text", lines text
                        ]
                )
                :> JsonNode
            | Display(plain, html) ->
                let data = JsonObject()
                data["text/plain"] <- lines plain
                html |> Option.iter (fun h -> data["text/html"] <- lines h)

                JsonObject(
                    dict
                        [
                            "output_type", JsonValue.Create "display_data" :> JsonNode
                            "data", data :> JsonNode
                            "metadata", JsonObject()
                        ]
                )
                :> JsonNode)

    c["outputs"] <- JsonArray(Array.ofList json)

/// Writes a notebook.
let save (path: string) (nb: JsonObject) =
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath path))
    |> ignore

    File.WriteAllText(path, nb.ToJsonString(System.Text.Json.JsonSerializerOptions(WriteIndented = true)))
