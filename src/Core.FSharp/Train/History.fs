namespace Functional

open System
open System.Globalization
open System.Text

/// What the training loop records for one epoch. Metric maps use the metric's name as key and
/// "loss" for the loss; `Validation` is empty when there is no validation data.
type EpochRecord =
    {
        /// Epoch number, from 1.
        Epoch: int
        /// Loss and metrics over the epoch's training batches.
        Train: Map<string, float>
        /// Loss and metrics on the validation data at the end of the epoch.
        Validation: Map<string, float>
        /// Learning rate used during the epoch (its last value if it changed per step).
        LearningRate: float
        /// Wall-clock time the epoch took (training and validation).
        Duration: TimeSpan
        /// Training loss of every step of the epoch, in order.
        StepLosses: float list
    }

/// The record of a training run: one `EpochRecord` per finished epoch, oldest first.
/// The loop starts from `History.empty` and calls `History.add` after every epoch.
type History =
    {
        /// Finished epochs, oldest first.
        Epochs: EpochRecord list
    }

/// Building and reading a training history.
module History =
    /// A history with no epochs.
    let empty: History = { Epochs = [] }

    /// The history with one more epoch appended.
    let add (record: EpochRecord) (h: History) : History = { Epochs = h.Epochs @ [ record ] }

    /// A record for `epoch` with the given training and validation values (no steps, rate 0, no time):
    /// a starting point for `{ History.epoch 1 train valid with LearningRate = 0.01 }`.
    let epoch (epoch: int) (train: (string * float) list) (validation: (string * float) list) : EpochRecord =
        {
            Epoch = epoch
            Train = Map.ofList train
            Validation = Map.ofList validation
            LearningRate = 0.0
            Duration = TimeSpan.Zero
            StepLosses = []
        }

    /// Every metric name recorded, "loss" first, then the others in alphabetical order.
    let names (h: History) : string list =
        let all =
            h.Epochs
            |> List.collect (fun e ->
                (Map.keys e.Train |> List.ofSeq) @ (Map.keys e.Validation |> List.ofSeq))
            |> List.distinct
            |> List.sort

        (if List.contains "loss" all then [ "loss" ] else [])
        @ List.filter ((<>) "loss") all

    /// (epoch, value) of a training metric, for the epochs that recorded it.
    let train (name: string) (h: History) : (int * float) list =
        h.Epochs
        |> List.choose (fun e -> e.Train.TryFind name |> Option.map (fun v -> e.Epoch, v))

    /// (epoch, value) of a validation metric, for the epochs that recorded it.
    let validation (name: string) (h: History) : (int * float) list =
        h.Epochs
        |> List.choose (fun e -> e.Validation.TryFind name |> Option.map (fun v -> e.Epoch, v))

    /// (epoch, learning rate) of every epoch.
    let learningRates (h: History) : (int * float) list =
        h.Epochs |> List.map (fun e -> e.Epoch, e.LearningRate)

    /// The history as CSV: epoch, train_<name>..., val_<name>..., learning_rate, seconds (invariant
    /// culture; an empty cell where a value was not recorded; names with commas or quotes are quoted).
    let toCsv (h: History) : string =
        let names = names h
        let sb = StringBuilder()

        let num (v: float) =
            v.ToString("R", CultureInfo.InvariantCulture)

        let header =
            [ "epoch" ]
            @ (names |> List.map (fun n -> "train_" + n))
            @ (names |> List.map (fun n -> "val_" + n))
            @ [ "learning_rate"; "seconds" ]

        let field (text: string) =
            if text.IndexOfAny [| ','; '"'; '\n'; '\r' |] >= 0 then
                "\"" + text.Replace("\"", "\"\"") + "\""
            else
                text

        sb.Append(String.Join(",", header |> List.map field)).Append('\n') |> ignore

        for e in h.Epochs do
            let cell (m: Map<string, float>) n =
                m.TryFind n |> Option.map num |> Option.defaultValue ""

            let row =
                [ string e.Epoch ]
                @ (names |> List.map (cell e.Train))
                @ (names |> List.map (cell e.Validation))
                @ [ num e.LearningRate; num e.Duration.TotalSeconds ]

            sb.Append(String.Join(",", row)).Append('\n') |> ignore

        sb.ToString()

    /// The fields of one CSV line (commas separate; a quoted field may hold commas and doubled quotes).
    let private csvFields (line: string) : string list =
        let fields = ResizeArray<string>()
        let current = StringBuilder()
        let mutable quoted = false
        let mutable i = 0

        while i < line.Length do
            let c = line[i]

            if quoted then
                if c = '"' && i + 1 < line.Length && line[i + 1] = '"' then
                    current.Append '"' |> ignore
                    i <- i + 1
                elif c = '"' then
                    quoted <- false
                else
                    current.Append c |> ignore
            elif c = '"' then
                quoted <- true
            elif c = ',' then
                fields.Add(current.ToString())
                current.Clear() |> ignore
            else
                current.Append c |> ignore

            i <- i + 1

        fields.Add(current.ToString())
        List.ofSeq fields

    /// Reads what `toCsv` wrote (per-step losses are not in the CSV, so `StepLosses` is empty); raises
    /// InvalidDataException naming the line when the text is not such a CSV.
    let ofCsv (text: string) : History =
        let lines =
            text.Replace("\r\n", "\n").Split('\n')
            |> Array.filter (fun l -> l.Length > 0)
            |> List.ofArray

        let fail (line: int) (what: string) =
            raise (
                IO.InvalidDataException(
                    $"History.ofCsv: line {line}: {what}. Hint: pass the text History.toCsv or Callbacks.csvLogger wrote."
                )
            )

        match lines with
        | [] -> fail 1 "the text is empty (no header)"
        | header :: rows ->
            let columns = csvFields header |> Array.ofList

            if columns.Length < 3 || columns[0] <> "epoch" then
                fail 1 $"the header starts with '{columns[0]}', not 'epoch'"

            let parse (line: int) (cell: string) =
                match Double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture) with
                | true, v -> v
                | _ -> fail line $"'{cell}' is not a number"

            let record (index: int) (row: string) =
                let line = index + 2
                let cells = csvFields row |> Array.ofList

                if cells.Length <> columns.Length then
                    fail line $"{cells.Length} fields where the header has {columns.Length}"

                let valuesWith (prefix: string) =
                    [
                        for c in 1 .. columns.Length - 1 do
                            if columns[c].StartsWith prefix && cells[c] <> "" then
                                columns[c].Substring prefix.Length, parse line cells[c]
                    ]

                let named (name: string) =
                    match Array.tryFindIndex ((=) name) columns with
                    | Some c when cells[c] <> "" -> parse line cells[c]
                    | _ -> nan

                let seconds = named "seconds"

                { epoch (int (parse line cells[0])) (valuesWith "train_") (valuesWith "val_") with
                    LearningRate = named "learning_rate"
                    Duration =
                        (if Double.IsNaN seconds then
                             TimeSpan.Zero
                         else
                             TimeSpan.FromSeconds seconds)
                }

            { Epochs = rows |> List.mapi record }
