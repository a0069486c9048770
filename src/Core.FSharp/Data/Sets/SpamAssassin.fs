namespace Functional.Data

open System
open System.IO
open System.Text

/// The SpamAssassin public mail corpus (6,046 raw e-mails with headers: 4,150 ham, 1,896 spam), fetched
/// once with `data fetch spam`: the text-classification set. Label 0 = ham, 1 = spam.
module SpamAssassin =
    /// The corpus groups and their labels (0 = ham, 1 = spam), in load order.
    let groups =
        [ "easy-ham-1", 0; "easy-ham-2", 0; "hard-ham-1", 0; "spam-1", 1; "spam-2", 1 ]

    /// The class names, by label.
    let classNames = [| "ham"; "spam" |]

    /// Loads every message (group by group, files in name order) from a folder holding the group folders.
    let loadFrom (dir: string) : Dataset<string * int> =
        [|
            for group, label in groups do
                let g = Path.Combine(dir, group)

                if not (Directory.Exists g) then
                    let command = DataCache.fetchCommand "spam"

                    raise (
                        DirectoryNotFoundException(
                            $"spam: the folder '{g}' does not exist. Fetch the dataset with: {command}"
                        )
                    )

                for f in
                    Directory.GetFiles(g, "*.txt")
                    |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b)) do
                    File.ReadAllText(f, Encoding.UTF8), label
        |]
        |> Dataset.ofArray

    /// Loads the corpus from the cache; raises `DatasetNotFoundException` with the fetch command when absent.
    let load () : Dataset<string * int> = loadFrom (DataCache.locate "spam")

    /// The body of a raw message: the text after the header block (after the first empty line).
    let body (message: string) : string =
        let m = message.Replace("\r\n", "\n")
        let i = m.IndexOf "\n\n"
        if i < 0 then m else m.Substring(i + 2)
