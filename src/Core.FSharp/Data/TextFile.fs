namespace Functional.Data

open System.IO
open System.Text

/// Reads text files (UTF-8, plain or gzip): streamed line by line, or whole.
module TextFile =
    /// The lines of a text file, streamed (without line terminators).
    let lines (path: string) : seq<string> =
        seq {
            use s = DataFiles.openRead "TextFile.lines" path
            use reader = new StreamReader(s, Encoding.UTF8)
            let mutable line = reader.ReadLine()

            while not (isNull line) do
                yield line
                line <- reader.ReadLine()
        }

    /// The whole text of a file.
    let read (path: string) : string =
        use s = DataFiles.openRead "TextFile.read" path
        use reader = new StreamReader(s, Encoding.UTF8)
        reader.ReadToEnd()
