namespace Functional.Data

open System.IO

/// Herman Melville's Moby-Dick (the whole novel, 1.2 MB of UTF-8 text), fetched once with
/// `data fetch moby-dick`: the character-level generation corpus.
module MobyDick =
    /// The file name in the dataset's cache folder.
    let fileName = "moby-dick.txt"

    /// The novel's text from a folder holding `moby-dick.txt`.
    let textFrom (dir: string) : string =
        TextFile.read (Path.Combine(dir, fileName))

    /// The novel's text from the cache; raises `DatasetNotFoundException` with the fetch command when absent.
    let text () : string = textFrom (DataCache.locate "moby-dick")
