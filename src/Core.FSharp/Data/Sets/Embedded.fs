/// The small datasets shipped inside Functional.Core (copied from data/ at build time).
module internal Functional.Data.Embedded

open System.IO
open System.IO.Compression

/// The resource name of an embedded file from data/.
let resourceName (file: string) = "Functional.Data." + file

/// The bytes of an embedded file from data/ (as committed, possibly gzip-compressed).
let bytes (file: string) : byte[] =
    let asm = typeof<Functional.Data.Vocabulary>.Assembly
    use s = asm.GetManifestResourceStream(resourceName file)

    if isNull s then
        Functional.Errors.invalid
            "Embedded"
            $"the embedded file '{file}' is missing from Functional.Core"
            "Rebuild Functional.Core."

    use m = new MemoryStream()
    s.CopyTo m
    m.ToArray()

/// A reader over an embedded file's text (gzip files are decompressed).
let reader (file: string) : TextReader =
    let raw = new MemoryStream(bytes file) :> Stream

    let s =
        if file.EndsWith ".gz" then
            new GZipStream(raw, CompressionMode.Decompress) :> Stream
        else
            raw

    new StreamReader(s) :> TextReader
