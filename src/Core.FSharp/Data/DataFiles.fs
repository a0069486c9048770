/// Shared helpers of the data readers: opening plain or gzip files and reporting malformed data.
module internal Functional.Data.DataFiles

open System.IO
open System.IO.Compression

/// Raises an InvalidDataException for a malformed data file read by operation `op`.
let corrupt (op: string) (what: string) (hint: string) : 'T =
    raise (InvalidDataException($"{op}: {what}. {hint}"))

/// True when a stream starts with the gzip magic bytes (1f 8b); the stream position is restored.
let private isGzip (s: Stream) =
    let b0 = s.ReadByte()
    let b1 = s.ReadByte()
    s.Seek(0L, SeekOrigin.Begin) |> ignore
    b0 = 0x1f && b1 = 0x8b

/// Opens a stream over `path`, transparently decompressing gzip content (detected by its magic bytes).
let openRead (op: string) (path: string) : Stream =
    if not (File.Exists path) then
        raise (FileNotFoundException($"{op}: the file '{path}' does not exist. Check the path.", path))

    let file = File.OpenRead path :> Stream

    if isGzip file then
        new GZipStream(file, CompressionMode.Decompress) :> Stream
    else
        file

/// Runs `read` on a stream, through a gzip decompressor when the (seekable) stream holds gzip data;
/// the caller keeps ownership of `s`.
let withDecompressed (s: Stream) (read: Stream -> 'T) : 'T =
    if s.CanSeek && isGzip s then
        use gz = new GZipStream(s, CompressionMode.Decompress, true)
        read gz
    else
        read s
