namespace Functional

open System
open System.Buffers.Binary
open System.IO
open TorchSharp
open Functional.Ad
open Functional.Native
open Functional.Raw

/// The contents of a checkpoint file: named tensors and a string-to-string metadata map.
type CheckpointData =
    {
        /// The tensors by name.
        Tensors: Map<string, Tensor>
        /// Free-form metadata (the safetensors `__metadata__` map).
        Metadata: Map<string, string>
    }

/// Saving and loading named tensors in the safetensors format (readable by PyTorch, JAX, NumPy, ...):
/// an 8-byte little-endian header length, a JSON header with each tensor's dtype, shape and byte
/// offsets, then raw little-endian data. Files are written atomically; loading checks every field of
/// the header against the file size before allocating anything, never executes code, and reports any
/// problem as a CheckpointException naming the file.
module Checkpoint =
    /// An action on a span of bytes (F# functions cannot take spans).
    type internal SpanAction = delegate of Span<byte> -> unit

    /// Bytes copied per chunk between a tensor and a file.
    let private chunkBytes = 1L <<< 20

    /// Calls `f` on consecutive byte spans of a contiguous CPU tensor's storage.
    let private forEachChunk (raw: torch.Tensor) (f: SpanAction) =
        let n = raw.NumberOfElements

        if n > 0L then
            let flat = raw.reshape [| n |]
            let perChunk = max 1L (chunkBytes / raw.ElementSize)
            let mutable start = 0L

            while start < n do
                let count = min perChunk (n - start)
                use view = flat.narrow (0L, start, count)
                f.Invoke view.bytes
                start <- start + count

    let private requireLittleEndian () =
        if not BitConverter.IsLittleEndian then
            Errors.invalid
                "Checkpoint"
                "this machine is big-endian"
                "safetensors files are little-endian; use a little-endian machine."

    /// Writes named tensors and metadata to `path` in the safetensors format, atomically (a temporary
    /// file in the same folder, flushed, then renamed over `path`). Names must be unique and not
    /// "__metadata__".
    let save (path: string) (tensors: (string * Tensor) list) (metadata: Map<string, string>) : unit =
        requireLittleEndian ()

        let names = tensors |> List.map fst

        for name in names do
            if isNull name then
                Errors.fail "Checkpoint.save" "a tensor name is null" "Give every tensor a name."

            if name = SafeTensorsHeader.metadataKey then
                Errors.fail
                    "Checkpoint.save"
                    "a tensor is named \"__metadata__\""
                    "That name is reserved; rename the tensor."

        match names |> List.countBy id |> List.tryFind (fun (_, c) -> c > 1) with
        | Some(name, c) ->
            Errors.fail "Checkpoint.save" $"the name '{name}' is used by {c} tensors" "Use unique names."
        | None -> ()

        for KeyValue(k, v) in metadata do
            if isNull k || isNull v then
                Errors.fail "Checkpoint.save" "a metadata key or value is null" "Use non-null strings."

        for name, t in tensors do
            if isNull t then
                Errors.fail "Checkpoint.save" $"tensor '{name}' is null" "Pass a tensor."

        Memory.Scoped(
            (fun () ->
                // Widest elements first, then by name: every tensor starts at a multiple of its element size.
                let ordered = tensors |> List.sortBy (fun (name, t) -> -t.Dtype.ElementSize, name)

                let raws =
                    ordered |> List.map (fun (_, t) -> (Value.raw t.Value).cpu().contiguous())

                let entries =
                    List.zip ordered raws
                    |> List.mapFold
                        (fun offset ((name, t), raw) ->
                            let bytes = raw.NumberOfElements * raw.ElementSize

                            {
                                SafeTensorsHeader.Name = name
                                SafeTensorsHeader.Dtype = t.Dtype
                                SafeTensorsHeader.Shape = t.Shape
                                SafeTensorsHeader.Begin = offset
                                SafeTensorsHeader.End = offset + bytes
                            },
                            offset + bytes)
                        0L
                    |> fst

                let header = SafeTensorsHeader.write entries metadata

                if int64 header.Length > SafeTensorsHeader.maxHeaderBytes then
                    Errors.fail
                        "Checkpoint.save"
                        $"the header would have {header.Length} bytes, more than the {SafeTensorsHeader.maxHeaderBytes}-byte limit of readers"
                        "Save fewer tensors or less metadata."

                AtomicFile.write path (fun stream ->
                    let length = Array.zeroCreate<byte> 8
                    BinaryPrimitives.WriteUInt64LittleEndian(Span length, uint64 header.Length)
                    stream.Write(length, 0, 8)
                    stream.Write(header, 0, header.Length)

                    for raw in raws do
                        forEachChunk
                            raw
                            (SpanAction(fun span ->
                                stream.Write(Span<byte>.op_Implicit span: ReadOnlySpan<byte>))))),
            (fun () -> Seq.empty)
        )

    let private fail (path: string) (problem: string) : 'T =
        raise (CheckpointException(path, problem))

    let private readExactly (stream: Stream) (path: string) (span: Span<byte>) (what: string) =
        try
            stream.ReadExactly span
        with :? EndOfStreamException as e ->
            raise (CheckpointException(path, $"the file is truncated: it ends inside {what}", e))

    /// Reads a safetensors file written by `save` or by another framework (dtypes F32, F64, I32, I64,
    /// BOOL). Raises CheckpointException naming the file and the problem for a missing, truncated,
    /// corrupted or unsupported file; never allocates more than the file's size.
    let load (path: string) : CheckpointData =
        requireLittleEndian ()

        if String.IsNullOrWhiteSpace path then
            Errors.fail "Checkpoint.load" "the path is empty" "Pass the path of a .safetensors file."

        if not (File.Exists path) then
            fail path "the file does not exist"

        NativeSetup.ensure ()

        use stream =
            try
                new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 <<< 16)
            with e ->
                raise (CheckpointException(path, $"the file cannot be opened ({e.Message})", e))

        let fileLength = stream.Length

        if fileLength < 8L then
            fail path $"the file is truncated: it has {fileLength} bytes, fewer than the 8-byte header length"

        let lengthBytes = Array.zeroCreate<byte> 8
        readExactly stream path (Span lengthBytes) "the header length"
        let headerLength = BinaryPrimitives.ReadUInt64LittleEndian(ReadOnlySpan lengthBytes)

        if headerLength > uint64 SafeTensorsHeader.maxHeaderBytes then
            fail
                path
                $"the header length {headerLength} exceeds the limit of {SafeTensorsHeader.maxHeaderBytes} bytes"

        if int64 headerLength > fileLength - 8L then
            fail path $"the header length {headerLength} runs past the end of the file ({fileLength} bytes)"

        if headerLength < 2UL then
            fail path $"the header length {headerLength} is too small for a JSON object"

        let header = Array.zeroCreate<byte>(int headerLength)
        readExactly stream path (Span header) "the header"
        let dataStart = 8L + int64 headerLength

        let entries, metadata =
            try
                SafeTensorsHeader.parse header (fileLength - dataStart)
            with
            | SafeTensorsHeader.HeaderProblem text -> fail path text
            | :? InvalidOperationException
            | :? ArgumentException
            | :? FormatException as e ->
                // e.g. an escaped lone surrogate ("\ud800") that JSON accepts but .NET strings cannot decode
                raise (CheckpointException(path, $"the header cannot be decoded ({e.Message})", e))

        let tensors =
            Memory.Scoped(
                (fun () ->
                    [
                        for e in entries ->
                            let raw = torch.empty (e.Shape |> Array.map int64, Convert.toScalarType e.Dtype)

                            stream.Position <- dataStart + e.Begin

                            forEachChunk
                                raw
                                (SpanAction(fun span ->
                                    readExactly stream path span $"the data of tensor '{e.Name}'"

                                    if e.Dtype = Bool then
                                        for i in 0 .. span.Length - 1 do
                                            if span[i] > 1uy then
                                                fail
                                                    path
                                                    $"tensor '{e.Name}' of dtype BOOL holds the byte {span[i]}, not 0 or 1"))

                            e.Name, Tensor(Value.ofRaw raw)
                    ]),
                (fun ts -> ts |> Seq.map (fun (_, t) -> Value.raw t.Value))
            )

        {
            Tensors = Map.ofList tensors
            Metadata = metadata
        }

    /// Writes a parameter tree to `path` (one tensor per leaf, named by its dotted path), atomically.
    let saveParams (path: string) (p: Params) (metadata: Map<string, string>) : unit =
        save path (Params.toList p) metadata

    /// The tree shaped like `like` whose leaves are the tensors named `prefix + path` in `data`; every
    /// leaf must be present with the same shape and dtype (other tensors in `data` are ignored).
    let toParams (prefix: string) (like: Params) (data: CheckpointData) : Params =
        let tensors =
            [
                for path, expected in Params.toList like ->
                    let name = prefix + path

                    match data.Tensors.TryFind name with
                    | None ->
                        let available = data.Tensors.Keys |> Seq.truncate 10 |> String.concat ", "

                        Errors.fail
                            "Checkpoint.toParams"
                            $"the checkpoint has no tensor '{name}' (it has: {available})"
                            "Load a checkpoint of the same model, or check the prefix."
                    | Some t when t.Shape <> expected.Shape || t.Dtype <> expected.Dtype ->
                        let shapeText (x: Tensor) =
                            Errors.shapeText (Array.map int64 x.Shape)

                        Errors.fail
                            "Checkpoint.toParams"
                            $"tensor '{name}' is {t.Dtype} {shapeText t} in the checkpoint but {expected.Dtype} {shapeText expected} in the model"
                            "Load a checkpoint of the same model configuration."
                    | Some t -> t
            ]

        Params.withTensors like tensors

    /// Reads a parameter tree saved by `saveParams` into the structure of `like` (names, order, shapes
    /// and dtypes must match; CheckpointException otherwise).
    let loadParams (path: string) (like: Params) : Params =
        let data = load path

        try
            toParams "" like data
        with :? ArgumentException as e ->
            raise (CheckpointException(path, e.Message.TrimEnd('.'), e))
