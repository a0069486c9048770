namespace Functional.Data

open System
open System.Text.RegularExpressions

/// Splitting text into tokens: words and punctuation, whitespace-separated pieces, or characters.
module Tokenizer =
    let private wordPattern = Regex(@"\w+(?:['’]\w+)*|[^\w\s]", RegexOptions.Compiled)

    /// Words (letters and digits, with inner apostrophes as in "don't") and single punctuation marks;
    /// whitespace is dropped. Case is kept (lower-case the text first for a case-free vocabulary).
    let words (text: string) : string[] =
        [| for m in wordPattern.Matches text -> m.Value |]

    /// The pieces between runs of whitespace.
    let whitespace (text: string) : string[] =
        text.Split((null: char[]), StringSplitOptions.RemoveEmptyEntries)

    /// Every character (Unicode scalar value, so surrogate pairs stay whole) as a token;
    /// `String.concat "" (characters s) = s`.
    let characters (text: string) : string[] =
        [| for r in text.EnumerateRunes() -> r.ToString() |]

    /// Joins word tokens with spaces, without a space before closing punctuation.
    let joinWords (tokens: string seq) : string =
        let sb = Text.StringBuilder()

        for t in tokens do
            let glue = t.Length = 1 && ",.;:!?)]}%".Contains t

            if sb.Length > 0 && not glue then
                sb.Append ' ' |> ignore

            sb.Append t |> ignore

        sb.ToString()
