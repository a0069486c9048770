namespace Functional.Data

open System
open System.Buffers.Binary
open System.IO
open System.IO.Compression

/// An n-dimensional array read from an IDX file: its shape and its elements in row-major order.
type IdxArray<'T> =
    {
        /// Sizes of the dimensions (e.g. [60000; 28; 28] for MNIST's training images).
        Shape: int[]
        /// The elements, row-major.
        Data: 'T[]
    }

/// Reads and writes IDX files (the MNIST format: a magic number 00 00 type rank, big-endian int32
/// dimensions, then big-endian elements), plain or gzip-compressed, streaming straight into arrays.
module Idx =
    /// IDX element type codes and their sizes in bytes.
    let private elementSize (code: byte) =
        match code with
        | 0x08uy
        | 0x09uy -> 1
        | 0x0Buy -> 2
        | 0x0Cuy
        | 0x0Duy -> 4
        | 0x0Euy -> 8
        | _ -> 0

    let private typeName (code: byte) =
        match code with
        | 0x08uy -> "unsigned byte"
        | 0x09uy -> "signed byte"
        | 0x0Buy -> "int16"
        | 0x0Cuy -> "int32"
        | 0x0Duy -> "float32"
        | 0x0Euy -> "float64"
        | c -> $"unknown (0x{c:x2})"

    /// Reads exactly `buffer.Length` bytes or fails naming what was expected.
    let private readExactly (op: string) (name: string) (s: Stream) (buffer: byte[]) (what: string) =
        let got =
            try
                s.ReadAtLeast(buffer.AsSpan(), buffer.Length, false)
            with :? InvalidDataException as e ->
                DataFiles.corrupt
                    op
                    $"'{name}' is not valid gzip data ({e.Message})"
                    "The file is damaged: fetch it again."

        if got < buffer.Length then
            DataFiles.corrupt
                op
                $"'{name}' is truncated: {what} needs {buffer.Length} bytes but only {got} remain"
                "The file is incomplete: fetch it again."

    /// Reads the header; returns the element type code and the shape.
    let private readHeader (op: string) (name: string) (s: Stream) : byte * int[] =
        let magic = Array.zeroCreate<byte> 4
        readExactly op name s magic "the 4-byte magic number"

        if magic[0] <> 0uy || magic[1] <> 0uy || elementSize magic[2] = 0 || magic[3] = 0uy then
            DataFiles.corrupt
                op
                $"'{name}' has magic number {Convert.ToHexString magic}, which is not an IDX header (00 00 type rank, type in 08 09 0B 0C 0D 0E, rank >= 1)"
                "Pass an IDX file such as MNIST's train-images-idx3-ubyte (optionally .gz)."

        let dims = Array.zeroCreate<byte>(4 * int magic[3])
        readExactly op name s dims $"the {magic[3]} dimension sizes"

        let shape =
            Array.init (int magic[3]) (fun i ->
                BinaryPrimitives.ReadInt32BigEndian(ReadOnlySpan(dims, 4 * i, 4)))

        if shape |> Array.exists (fun d -> d < 0) then
            DataFiles.corrupt
                op
                $"'{name}' declares a negative dimension in shape {shape}"
                "The file is damaged."

        let count = shape |> Array.fold (fun acc d -> acc * int64 d) 1L

        if count * int64 (elementSize magic[2]) > int64 Array.MaxLength then
            DataFiles.corrupt op $"'{name}' declares shape {shape}, too large for one array" "Split the file."

        magic[2], shape

    let private expectEnd (op: string) (name: string) (s: Stream) =
        if s.ReadByte() <> -1 then
            DataFiles.corrupt
                op
                $"'{name}' has extra bytes after the data its header declares"
                "The file is damaged."

    /// Reads the raw element bytes (big-endian) after the header.
    let private readBody (op: string) (name: string) (s: Stream) : byte * int[] * byte[] =
        let code, shape = readHeader op name s
        let count = shape |> Array.fold (*) 1
        let body = Array.zeroCreate<byte>(count * elementSize code)
        readExactly op name s body $"the data of shape {shape} ({typeName code})"
        expectEnd op name s
        code, shape, body

    /// Reads an IDX file of unsigned bytes (plain or gzip) from a stream; `name` is used in messages.
    let readBytesFrom (name: string) (stream: Stream) : IdxArray<byte> =
        let op = "Idx.readBytes"
        let code, shape, body = DataFiles.withDecompressed stream (readBody op name)

        if code <> 0x08uy then
            DataFiles.corrupt
                op
                $"'{name}' holds {typeName code} elements, not unsigned bytes"
                "Use Idx.readFloats for other element types."

        { Shape = shape; Data = body }

    /// Reads an IDX file of unsigned bytes (plain or gzip), e.g. MNIST images or labels.
    let readBytes (path: string) : IdxArray<byte> =
        use s = DataFiles.openRead "Idx.readBytes" path
        readBytesFrom path s

    /// Reads an IDX file of any element type (plain or gzip) from a stream, converting elements to float32.
    let readFloatsFrom (name: string) (stream: Stream) : IdxArray<float32> =
        let code, shape, body =
            DataFiles.withDecompressed stream (readBody "Idx.readFloats" name)

        let size = elementSize code

        let value (i: int) : float32 =
            let span = ReadOnlySpan(body, i * size, size)

            match code with
            | 0x08uy -> float32 body[i]
            | 0x09uy -> float32 (sbyte body[i])
            | 0x0Buy -> float32 (BinaryPrimitives.ReadInt16BigEndian span)
            | 0x0Cuy -> float32 (BinaryPrimitives.ReadInt32BigEndian span)
            | 0x0Duy -> BinaryPrimitives.ReadSingleBigEndian span
            | _ -> float32 (BinaryPrimitives.ReadDoubleBigEndian span)

        {
            Shape = shape
            Data = Array.init (body.Length / size) value
        }

    /// Reads an IDX file of any element type (plain or gzip), converting elements to float32.
    let readFloats (path: string) : IdxArray<float32> =
        use s = DataFiles.openRead "Idx.readFloats" path
        readFloatsFrom path s

    /// The bytes times `scale` as a Float32 tensor of the array's shape (e.g. scale 1/255 for pixels).
    let toFloatTensor (scale: float32) (array: IdxArray<byte>) : Functional.Tensor =
        Batch.ofFloats array.Shape (array.Data |> Array.map (fun b -> float32 b * scale))

    /// The bytes as an Int64 tensor of the array's shape (e.g. class labels).
    let toLabelTensor (array: IdxArray<byte>) : Functional.Tensor =
        Batch.ofLongs array.Shape (array.Data |> Array.map int64)

    /// Writes unsigned bytes as an IDX file (gzip-compressed when the path ends with ".gz").
    let writeBytes (path: string) (array: IdxArray<byte>) : unit =
        let count = array.Shape |> Array.fold (*) 1

        if array.Shape.Length = 0 || array.Shape.Length > 255 || count <> array.Data.Length then
            Functional.Errors.fail
                "Idx.writeBytes"
                $"shape {array.Shape} does not match {array.Data.Length} elements (rank must be 1 to 255)"
                "Give a shape whose product is the number of elements."

        use file = File.Create path

        use s =
            if path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) then
                new GZipStream(file, CompressionLevel.Optimal) :> Stream
            else
                file :> Stream

        s.Write([| 0uy; 0uy; 0x08uy; byte array.Shape.Length |], 0, 4)

        for d in array.Shape do
            let b = Array.zeroCreate<byte> 4
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(), d)
            s.Write(b, 0, 4)

        s.Write(array.Data, 0, array.Data.Length)
