/// SHA-256 digests of dataset files and directories, as stored in the `Catalog`.
module internal Functional.Data.Checksum

open System
open System.IO
open System.Security.Cryptography
open System.Text

let private hex (bytes: byte[]) =
    Convert.ToHexString(bytes).ToLowerInvariant()

/// Lower-case hex SHA-256 of a file.
let ofFile (path: string) : string =
    use s = File.OpenRead path
    hex (SHA256.HashData s)

/// The files of a directory (recursive) whose names end with `only` ("" = all), as sorted
/// '/'-separated relative paths.
let filesOf (dir: string) (only: string) : string[] =
    Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
    |> Array.filter (fun f -> only = "" || f.EndsWith(only, StringComparison.Ordinal))
    |> Array.map (fun f -> Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/'))
    |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))

/// SHA-256 of the sorted lines "relative/path<TAB>sha256<LF>" of a directory's files, and their total size.
let ofDirectory (dir: string) (only: string) : string * int64 =
    let files = filesOf dir only
    let sb = StringBuilder()
    let mutable bytes = 0L

    for rel in files do
        let full = Path.Combine(dir, rel)
        bytes <- bytes + FileInfo(full).Length
        sb.Append(rel).Append('\t').Append(ofFile full).Append('\n') |> ignore

    hex (SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()))), bytes

/// The digest and size of a file or directory (see `DataFile`).
let ofPath (path: string) (only: string) : string * int64 =
    if Directory.Exists path then
        ofDirectory path only
    else
        ofFile path, FileInfo(path).Length
