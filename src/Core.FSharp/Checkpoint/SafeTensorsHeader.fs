/// The safetensors header: 8 bytes little-endian header length N, then N bytes of UTF-8 JSON
/// `{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ..., "__metadata__":
/// {"key": "value"}}`, then the raw little-endian tensor data, which the offsets (relative to the end
/// of the header) must cover exactly, without gaps or overlaps. Parsing trusts nothing in the file.
module internal Functional.SafeTensorsHeader

open System
open System.Collections.Generic
open System.Text
open System.Text.Json
open Functional

/// Largest header accepted (as in the reference implementation): 100 MB.
let maxHeaderBytes = 100_000_000L

/// Most dimensions accepted for one tensor.
let maxRank = 64

/// The key of the string-to-string metadata map.
let metadataKey = "__metadata__"

/// One tensor's entry in the header.
type Entry =
    {
        Name: string
        Dtype: Dtype
        Shape: int[]
        Begin: int64
        End: int64
    }

/// The safetensors name of a dtype.
let dtypeCode (d: Dtype) =
    match d with
    | Float32 -> "F32"
    | Float64 -> "F64"
    | Int32 -> "I32"
    | Int64 -> "I64"
    | Bool -> "BOOL"

let private knownUnsupported =
    set
        [
            "F16"
            "BF16"
            "F8_E4M3"
            "F8_E5M2"
            "F8_E8M0"
            "F6_E2M3"
            "F6_E3M2"
            "F4"
            "U8"
            "I8"
            "I16"
            "U16"
            "U32"
            "U64"
            "C64"
        ]

/// The failure type used while parsing: the problem text (the caller adds the path).
exception HeaderProblem of string

let private problem (text: string) : 'T = raise (HeaderProblem text)

let private dtypeOf (name: string) (code: string) =
    match code with
    | "F32" -> Float32
    | "F64" -> Float64
    | "I32" -> Int32
    | "I64" -> Int64
    | "BOOL" -> Bool
    | c when knownUnsupported.Contains c ->
        problem
            $"tensor '{name}' has dtype {c}, which Functional does not support (supported: F32, F64, I32, I64, BOOL)"
    | c ->
        let shown = if c.Length > 40 then c.Substring(0, 40) + "..." else c
        problem $"tensor '{name}' has unknown dtype '{shown}'"

/// The properties of a JSON object, rejecting duplicate keys.
let private properties (what: string) (o: JsonElement) =
    let seen = HashSet<string>(StringComparer.Ordinal)

    [
        for p in o.EnumerateObject() do
            if not (seen.Add p.Name) then
                problem $"{what} has the key '{p.Name}' more than once"

            p
    ]

let private nonNegativeInteger (what: string) (e: JsonElement) =
    let mutable v = 0L

    if e.ValueKind = JsonValueKind.Number && e.TryGetInt64(&v) && v >= 0L then
        v
    else
        problem $"{what} is {e.GetRawText()}, not a non-negative integer"

let private entryOf (name: string) (e: JsonElement) : Entry =
    if e.ValueKind <> JsonValueKind.Object then
        problem $"the entry of tensor '{name}' is not an object"

    let props = properties $"the entry of tensor '{name}'" e

    let find key =
        match props |> List.tryFind (fun p -> p.Name = key) with
        | Some p -> p.Value
        | None -> problem $"the entry of tensor '{name}' has no '{key}'"

    for p in props do
        if p.Name <> "dtype" && p.Name <> "shape" && p.Name <> "data_offsets" then
            problem $"the entry of tensor '{name}' has an unexpected key '{p.Name}'"

    let dtypeElement = find "dtype"

    if dtypeElement.ValueKind <> JsonValueKind.String then
        problem $"the dtype of tensor '{name}' is not a string"

    let dtype = dtypeOf name (dtypeElement.GetString())
    let shapeElement = find "shape"

    if shapeElement.ValueKind <> JsonValueKind.Array then
        problem $"the shape of tensor '{name}' is not an array"

    if shapeElement.GetArrayLength() > maxRank then
        problem $"tensor '{name}' has {shapeElement.GetArrayLength()} dimensions, more than {maxRank}"

    let shape =
        [|
            for d in shapeElement.EnumerateArray() ->
                let v = nonNegativeInteger $"a dimension of tensor '{name}'" d

                if v > int64 Int32.MaxValue then
                    problem $"dimension {v} of tensor '{name}' is larger than {Int32.MaxValue}"

                int v
        |]

    let offsets = find "data_offsets"

    if offsets.ValueKind <> JsonValueKind.Array || offsets.GetArrayLength() <> 2 then
        problem $"the data_offsets of tensor '{name}' are not an array of two integers"

    let b = nonNegativeInteger $"the begin offset of tensor '{name}'" (offsets[0])
    let e = nonNegativeInteger $"the end offset of tensor '{name}'" (offsets[1])

    if e < b then
        problem $"tensor '{name}' ends (offset {e}) before it begins (offset {b})"

    // Element count and byte size with overflow checks: a huge shape cannot match real offsets.
    let bytes =
        try
            shape
            |> Array.fold (fun n d -> Checked.(*) n (int64 d)) 1L
            |> Checked.(*) (int64 dtype.ElementSize)
        with :? OverflowException ->
            problem $"tensor '{name}' has shape {Errors.shapeText (Array.map int64 shape)}, too many elements"

    if bytes <> e - b then
        problem
            $"tensor '{name}' of dtype {dtypeCode dtype} and shape {Errors.shapeText (Array.map int64 shape)} needs {bytes} bytes but its data_offsets [{b}, {e}] span {e - b}"

    {
        Name = name
        Dtype = dtype
        Shape = shape
        Begin = b
        End = e
    }

/// Parses and validates a header against the size of the data section that follows it. Returns the
/// entries sorted by offset and the metadata; raises HeaderProblem otherwise.
let parse (header: byte[]) (dataLength: int64) : Entry list * Map<string, string> =
    let text =
        try
            UTF8Encoding(false, true).GetString header
        with :? DecoderFallbackException as e ->
            problem $"the header is not valid UTF-8 ({e.Message})"

    if text.Length = 0 || text[0] <> '{' then
        problem "the header does not start with '{'"

    let doc =
        try
            JsonDocument.Parse(text, JsonDocumentOptions(MaxDepth = 8))
        with :? JsonException as e ->
            problem $"the header is not valid JSON ({e.Message})"

    use doc = doc
    let props = properties "the header" doc.RootElement
    let mutable metadata = Map.empty
    let entries = ResizeArray<Entry>()

    for p in props do
        if p.Name = metadataKey then
            if p.Value.ValueKind <> JsonValueKind.Object then
                problem "__metadata__ is not an object"

            for m in properties "__metadata__" p.Value do
                if m.Value.ValueKind <> JsonValueKind.String then
                    problem $"metadata value '{m.Name}' is not a string"

                metadata <- metadata.Add(m.Name, m.Value.GetString())
        else
            entries.Add(entryOf p.Name p.Value)

    let sorted = entries |> Seq.sortBy (fun e -> e.Begin, e.End) |> List.ofSeq
    let mutable position = 0L

    for e in sorted do
        if e.Begin < position then
            problem
                $"the data of tensor '{e.Name}' (offsets [{e.Begin}, {e.End}]) overlaps the previous tensor, which ends at {position}"

        if e.Begin > position then
            problem
                $"there is a gap in the data before tensor '{e.Name}' (offsets [{e.Begin}, {e.End}], previous end {position})"

        if e.End > dataLength then
            problem
                $"the data of tensor '{e.Name}' (offsets [{e.Begin}, {e.End}]) runs past the end of the file (data section of {dataLength} bytes)"

        position <- e.End

    if position <> dataLength then
        problem $"the data section has {dataLength} bytes but the tensors cover {position} (trailing bytes)"

    sorted, metadata

/// The header JSON for entries (in the given order) and metadata, padded with spaces so that the data
/// starts at a multiple of 8 bytes.
let write (entries: Entry list) (metadata: Map<string, string>) : byte[] =
    use buffer = new IO.MemoryStream()

    do
        use w = new Utf8JsonWriter(buffer)
        w.WriteStartObject()

        if not metadata.IsEmpty then
            w.WriteStartObject metadataKey

            for KeyValue(k, v) in metadata do
                w.WriteString(k, v)

            w.WriteEndObject()

        for e in entries do
            w.WriteStartObject e.Name
            w.WriteString("dtype", dtypeCode e.Dtype)
            w.WriteStartArray "shape"

            for d in e.Shape do
                w.WriteNumberValue d

            w.WriteEndArray()
            w.WriteStartArray "data_offsets"
            w.WriteNumberValue e.Begin
            w.WriteNumberValue e.End
            w.WriteEndArray()
            w.WriteEndObject()

        w.WriteEndObject()

    let json = buffer.ToArray()
    let padded = (json.Length + 7) / 8 * 8
    Array.append json (Array.create (padded - json.Length) (byte ' '))
