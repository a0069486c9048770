namespace Functional.Data

open System
open System.Collections.Generic
open System.Globalization
open System.IO
open System.Text
open Functional

/// How the CSV reader splits and interprets a file.
type CsvOptions =
    {
        /// Field separator (',' by default; ' ' or '\t' for whitespace-separated files).
        Separator: char
        /// Quote character: a quoted field may hold separators, newlines and doubled quotes.
        Quote: char
        /// True when the first record (after `SkipLines`) names the columns.
        HasHeader: bool
        /// Number of lines to ignore at the start of the file (e.g. a count line).
        SkipLines: int
        /// Field texts (after trimming) that mean "missing".
        MissingValues: string list
    }

    /// Comma-separated, quoted with '"', with a header; "", NA, N/A, NaN, null and ? mean missing.
    static member Default =
        {
            Separator = ','
            Quote = '"'
            HasHeader = true
            SkipLines = 0
            MissingValues = [ ""; "NA"; "N/A"; "NaN"; "null"; "?" ]
        }

/// Whether a CSV column holds numbers or text.
type CsvColumnKind =
    /// Every present value parses as a number (invariant culture).
    | Numeric
    /// At least one present value is not a number.
    | Text

/// One column of a CSV table: its raw texts, its values as numbers and where values are missing.
type CsvColumn =
    {
        /// Column name (from the header, else "column0", "column1", ...).
        Name: string
        /// Numeric or text.
        Kind: CsvColumnKind
        /// The trimmed field texts ("" where missing).
        Texts: string[]
        /// The values as numbers: NaN where missing or (in a text column) not a number.
        Numbers: float[]
        /// True where the value is missing.
        Missing: bool[]
    }

/// A whole CSV file in memory, column by column, with inferred column types.
type CsvTable =
    {
        /// The column names.
        Header: string[]
        /// The columns, in file order.
        Columns: CsvColumn[]
        /// Number of data rows.
        RowCount: int
    }

    /// The column called `name`; raises an ArgumentException listing the columns otherwise.
    member t.Column(name: string) : CsvColumn =
        match t.Columns |> Array.tryFind (fun c -> c.Name = name) with
        | Some c -> c
        | None ->
            Errors.fail
                "CsvTable.Column"
                $"there is no column '{name}'"
                ("The columns are: " + String.Join(", ", t.Header) + ".")

    /// The numbers of a numeric column (NaN where missing); raises for a text column.
    member t.Numbers(name: string) : float[] =
        let c = t.Column name

        if c.Kind <> Numeric then
            let example =
                c.Texts
                |> Array.find (fun s ->
                    s <> "" && fst (Double.TryParse(s, CultureInfo.InvariantCulture)) |> not)

            Errors.fail
                "CsvTable.Numbers"
                $"column '{name}' holds text (e.g. '{example}'), not numbers"
                "Use .Column(name).Texts."

        c.Numbers

/// A streaming CSV reader (RFC 4180 quoting, any separator, header, skipped lines, missing values,
/// plain or gzip files); ragged rows raise an InvalidDataException naming the line.
module Csv =
    /// Reads the next non-blank record from `reader`: the line it starts on and its fields (or None at
    /// the end). `line` counts lines read so far; quoted fields may span lines.
    let private nextRecord (options: CsvOptions) (name: string) (reader: TextReader) (line: int ref) =
        let fields = List<string>()
        let field = StringBuilder()
        let mutable start = line.Value
        let mutable inQuotes = false
        let mutable quoted = false
        let mutable any = false
        let mutable fin = false
        let mutable result = None

        while not fin do
            let c = reader.Read()

            if c = -1 then
                if inQuotes then
                    DataFiles.corrupt
                        "Csv"
                        $"'{name}': the quoted field starting on line {start} is never closed"
                        "Close the quote or double the quote characters inside the field."

                if any then
                    fields.Add(if quoted then field.ToString() else field.ToString().Trim())
                    result <- Some(start, fields.ToArray())

                fin <- true
            else
                let ch = char c

                if inQuotes then
                    if ch = options.Quote then
                        if reader.Peek() = int options.Quote then
                            field.Append(options.Quote) |> ignore
                            reader.Read() |> ignore
                        else
                            inQuotes <- false
                    else
                        if ch = '\n' then
                            line.Value <- line.Value + 1

                        field.Append ch |> ignore
                elif ch = options.Quote && field.ToString().Trim() = "" then
                    field.Clear() |> ignore
                    inQuotes <- true
                    quoted <- true
                    any <- true
                elif ch = options.Separator then
                    fields.Add(if quoted then field.ToString() else field.ToString().Trim())
                    field.Clear() |> ignore
                    quoted <- false
                    any <- true
                elif ch = '\n' || ch = '\r' then
                    if ch = '\r' && reader.Peek() = int '\n' then
                        reader.Read() |> ignore

                    line.Value <- line.Value + 1
                    let last = if quoted then field.ToString() else field.ToString().Trim()

                    if any || last <> "" then
                        fields.Add last
                        result <- Some(start, fields.ToArray())
                        fin <- true
                    else
                        field.Clear() |> ignore
                        start <- line.Value
                else
                    field.Append ch |> ignore

                    if not (Char.IsWhiteSpace ch) then
                        any <- true

        result

    /// Reads all records lazily (see `nextRecord`).
    let private records (options: CsvOptions) (name: string) (reader: TextReader) : seq<int * string[]> =
        let line = ref 1

        Seq.unfold
            (fun () ->
                match nextRecord options name reader line with
                | Some r -> Some(r, ())
                | None -> None)
            ()

    /// The header and the data rows (checked for equal length) of a text reader.
    let private parse
        (options: CsvOptions)
        (name: string)
        (reader: TextReader)
        : string[] option * seq<string[]> =
        for _ in 1 .. options.SkipLines do
            reader.ReadLine() |> ignore

        let all = (records options name reader).GetEnumerator()

        let header =
            if options.HasHeader then
                if all.MoveNext() then Some(snd all.Current) else Some [||]
            else
                None

        let rows =
            seq {
                use e = all
                let mutable width = header |> Option.map Array.length |> Option.defaultValue -1

                while e.MoveNext() do
                    let line, fields = e.Current
                    let line = line + options.SkipLines

                    if width < 0 then
                        width <- fields.Length
                    elif fields.Length <> width then
                        let against =
                            if header.IsSome then
                                "the header has"
                            else
                                "the first row has"

                        DataFiles.corrupt
                            "Csv"
                            $"'{name}' line {line} has {fields.Length} fields but {against} {width}"
                            "Every row needs the same number of fields (quote fields that contain the separator)."

                    yield fields
            }

        header, rows

    /// The data rows of a CSV file, streamed (the header, when present, is skipped).
    let rows (options: CsvOptions) (path: string) : seq<string[]> =
        seq {
            use s = DataFiles.openRead "Csv.rows" path
            use reader = new StreamReader(s, Encoding.UTF8)
            let _, rows = parse options path reader
            yield! rows
        }

    let private isNumber (s: string) =
        fst (Double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture))

    /// Builds a table from a header and rows, inferring column kinds.
    let private table (options: CsvOptions) (header: string[] option) (rows: string[][]) : CsvTable =
        let width =
            match header, rows with
            | Some h, _ -> h.Length
            | None, [||] -> 0
            | None, _ -> rows[0].Length

        let names =
            match header with
            | Some h -> h
            | None -> Array.init width (fun i -> $"column{i}")

        let missingSet = HashSet<string>(options.MissingValues)

        let column (j: int) =
            let texts = rows |> Array.map (fun r -> r[j])
            let missing = texts |> Array.map missingSet.Contains
            let texts = Array.map2 (fun (t: string) m -> if m then "" else t) texts missing
            let numeric = Array.forall2 (fun t m -> m || isNumber t) texts missing

            let numbers =
                texts
                |> Array.map (fun t ->
                    match Double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture) with
                    | true, v when t <> "" -> v
                    | _ -> nan)

            {
                Name = names[j]
                Kind = (if numeric then Numeric else Text)
                Texts = texts
                Numbers = numbers
                Missing = missing
            }

        {
            Header = names
            Columns = Array.init width column
            RowCount = rows.Length
        }

    /// Reads CSV text from a reader into a table; `name` is used in error messages.
    let readFrom (options: CsvOptions) (name: string) (reader: TextReader) : CsvTable =
        let header, rows = parse options name reader
        let rows = Array.ofSeq rows
        table options header rows

    /// Reads a whole CSV string into a table.
    let ofText (options: CsvOptions) (text: string) : CsvTable =
        use r = new StringReader(text)
        readFrom options "text" r

    /// The named numeric columns as one float32 row per sample (for a `Dataset`); raises an
    /// ArgumentException for a text column or a missing value.
    let features (columns: string list) (table: CsvTable) : float32[][] =
        let cols =
            columns
            |> List.map (fun name ->
                let values = table.Numbers name

                match Array.tryFindIndex Double.IsNaN values with
                | Some i ->
                    Errors.fail
                        "Csv.features"
                        $"column '{name}' has a missing value in data row {i + 1}"
                        "Fill or drop missing values first (CsvColumn.Missing marks them)."
                | None -> values)
            |> Array.ofList

        Array.init table.RowCount (fun i -> cols |> Array.map (fun c -> float32 c[i]))

    /// The named numeric columns as a Float32 tensor [rows; columns] (see `features`).
    let toTensor (columns: string list) (table: CsvTable) : Tensor =
        Batch.features [| columns.Length |] (features columns table)

    /// Reads a CSV file (plain or gzip) into a table with inferred column kinds.
    let read (options: CsvOptions) (path: string) : CsvTable =
        use s = DataFiles.openRead "Csv.read" path
        use reader = new StreamReader(s, Encoding.UTF8)
        readFrom options path reader
