namespace Functional

open System
open System.Globalization
open System.Text
open Functional.Data

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

    /// Reads what `toCsv` wrote (per-step losses are not in the CSV, so `StepLosses` is empty) with the
    /// `Csv` reader; raises InvalidDataException naming the line when the text is not such a CSV.
    let ofCsv (text: string) : History =
        let fail (line: int) (what: string) =
            raise (
                IO.InvalidDataException(
                    $"History.ofCsv: line {line}: {what}. Hint: pass the text History.toCsv or Callbacks.csvLogger wrote."
                )
            )

        use reader = new IO.StringReader(text)
        // only an empty cell is missing: "NaN" is a recorded value (a learning rate that was not given)
        let options =
            { CsvOptions.Default with
                MissingValues = [ "" ]
            }

        let table = Csv.readFrom options "History.ofCsv" reader

        if table.Header.Length = 0 then
            fail 1 "the text is empty (no header)"

        if table.Header.Length < 3 || table.Header[0] <> "epoch" then
            fail 1 $"the header starts with '{table.Header[0]}', not 'epoch'"

        // a cell that is neither empty nor a number (an empty epoch counts as not a number)
        for column in table.Columns do
            let isNumber (row: int) =
                fst (Double.TryParse(column.Texts[row], NumberStyles.Float, CultureInfo.InvariantCulture))

            let allowsEmpty = column.Name <> "epoch"

            match
                Seq.tryFind
                    (fun row -> not (allowsEmpty && column.Missing[row]) && not (isNumber row))
                    (seq { 0 .. table.RowCount - 1 })
            with
            | Some row -> fail (row + 2) $"'{column.Texts[row]}' is not a number"
            | None -> ()

        let numberAt (name: string) (row: int) =
            match table.Columns |> Array.tryFind (fun c -> c.Name = name) with
            | Some c -> c.Numbers[row]
            | None -> nan

        let valuesWith (prefix: string) (row: int) =
            [
                for c in table.Columns do
                    if c.Name.StartsWith prefix && not c.Missing[row] then
                        c.Name.Substring prefix.Length, c.Numbers[row]
            ]

        let record (row: int) =
            let seconds = numberAt "seconds" row

            { epoch (int (numberAt "epoch" row)) (valuesWith "train_" row) (valuesWith "val_" row) with
                LearningRate = numberAt "learning_rate" row
                Duration =
                    (if Double.IsNaN seconds then
                         TimeSpan.Zero
                     else
                         TimeSpan.FromSeconds seconds)
            }

        {
            Epochs = List.init table.RowCount record
        }
