namespace Functional

open System
open System.IO
open System.Text

/// Writing files so that readers never see a half-written one: the content goes to a temporary file
/// in the same folder, is flushed to disk, and then replaces the target by a rename (atomic on one
/// file system). If writing fails or the process dies, the old file (if any) is left as it was.
module AtomicFile =
    /// Writes `path` atomically with `write`, which receives a stream positioned at the start.
    let write (path: string) (write: Stream -> unit) : unit =
        if String.IsNullOrWhiteSpace path then
            Errors.fail "AtomicFile.write" "the path is empty" "Pass a file path."

        let full = Path.GetFullPath path
        let folder = Path.GetDirectoryName full

        if not (Directory.Exists folder) then
            Directory.CreateDirectory folder |> ignore

        let temp = Path.Combine(folder, $".{Path.GetFileName full}.{Guid.NewGuid():N}.tmp")

        try
            do
                use stream =
                    new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 <<< 16)

                write stream
                stream.Flush(true)

            File.Move(temp, full, true)
        with _ ->
            try
                if File.Exists temp then
                    File.Delete temp
            with _ ->
                ()

            reraise ()

    /// Writes `text` (UTF-8, no byte-order mark) to `path` atomically.
    let writeText (path: string) (text: string) : unit =
        write path (fun s ->
            let bytes = UTF8Encoding(false).GetBytes text
            s.Write(bytes, 0, bytes.Length))
