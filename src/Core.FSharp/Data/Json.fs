/// JSON (de)serialization of the small immutable statistics records saved beside a model.
module internal Functional.Data.Json

open System.Text.Json

let private options = JsonSerializerOptions(WriteIndented = true)

/// The JSON text of a record.
let write (value: 'T) : string =
    JsonSerializer.Serialize(value, options)

/// A record from JSON text; raises an InvalidDataException naming `op` on malformed or incomplete text.
let read<'T> (op: string) (check: 'T -> bool) (json: string) : 'T =
    let value =
        try
            JsonSerializer.Deserialize<'T>(json, options)
        with :? JsonException as e ->
            DataFiles.corrupt
                op
                $"the JSON text is not a {typeof<'T>.Name} ({e.Message})"
                "Pass text written by ToJson."

    if obj.ReferenceEquals(value, null) || not (check value) then
        DataFiles.corrupt
            op
            $"the JSON text does not describe a valid {typeof<'T>.Name}"
            "Pass text written by ToJson."

    value
