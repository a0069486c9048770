namespace Functional.Data

open System
open System.Collections.Generic
open Functional

/// An immutable token <-> id mapping. Id 0 is the padding token `<pad>`, id 1 the unknown token
/// `<unk>` (what every token outside the vocabulary encodes to); the other tokens follow.
[<Sealed>]
type Vocabulary internal (tokens: string[]) =
    let index =
        let d = Dictionary<string, int>(StringComparer.Ordinal)
        tokens |> Array.iteri (fun i t -> d.TryAdd(t, i) |> ignore)
        d

    /// The padding token.
    static member PadToken = "<pad>"
    /// The unknown-token placeholder.
    static member UnknownToken = "<unk>"
    /// The id of the padding token (0).
    static member PadId = 0
    /// The id of the unknown token (1).
    static member UnknownId = 1

    /// Number of tokens, including the two special ones.
    member _.Count = tokens.Length

    /// The tokens in id order (a copy).
    member _.Tokens: string[] = Array.copy tokens

    /// True when the token has its own id.
    member _.Contains(token: string) = index.ContainsKey token

    /// The id of a token (`UnknownId` when it is not in the vocabulary).
    member _.IdOf(token: string) : int =
        match index.TryGetValue token with
        | true, i -> i
        | _ -> Vocabulary.UnknownId

    /// The token of an id.
    member _.TokenOf(id: int) : string =
        if id < 0 || id >= tokens.Length then
            Errors.fail
                "Vocabulary.TokenOf"
                $"id {id} is not in [0, {tokens.Length - 1}]"
                "Pass an id produced by this vocabulary."

        tokens[id]

    override _.ToString() = $"Vocabulary({tokens.Length} tokens)"

/// Building vocabularies, encoding and decoding.
module Vocabulary =
    let private specials = [| Vocabulary.PadToken; Vocabulary.UnknownToken |]

    /// A vocabulary of the given tokens in order (after the two special ones; duplicates ignored).
    let ofTokens (tokens: string seq) : Vocabulary =
        let seen = HashSet<string>(specials, StringComparer.Ordinal)

        Vocabulary(
            Array.append
                specials
                [|
                    for t in tokens do
                        if seen.Add t then
                            t
                |]
        )

    /// The tokens occurring at least `minFrequency` times in the documents, most frequent first
    /// (ties in ordinal order), after the two special ones.
    let build (minFrequency: int) (documents: string[] seq) : Vocabulary =
        let counts = Dictionary<string, int>(StringComparer.Ordinal)

        for doc in documents do
            for t in doc do
                counts[t] <-
                    (match counts.TryGetValue t with
                     | true, c -> c
                     | _ -> 0)
                    + 1

        counts
        |> Seq.filter (fun kv -> kv.Value >= minFrequency)
        |> Seq.sortWith (fun a b ->
            if a.Value <> b.Value then
                compare b.Value a.Value
            else
                String.CompareOrdinal(a.Key, b.Key))
        |> Seq.map (fun kv -> kv.Key)
        |> ofTokens

    /// The first `maxCount` tokens (the most frequent, for a vocabulary from `build`), specials included.
    let truncate (maxCount: int) (vocabulary: Vocabulary) : Vocabulary =
        if maxCount < 2 then
            Errors.fail
                "Vocabulary.truncate"
                $"max count {maxCount} leaves no room for <pad> and <unk>"
                "Use a count >= 2."

        Vocabulary(Array.truncate maxCount vocabulary.Tokens)

    /// The ids of tokens (unknown tokens give `Vocabulary.UnknownId`).
    let encode (vocabulary: Vocabulary) (tokens: string seq) : int[] =
        tokens |> Seq.map vocabulary.IdOf |> Array.ofSeq

    /// The tokens of ids, dropping padding.
    let decode (vocabulary: Vocabulary) (ids: int seq) : string[] =
        ids
        |> Seq.filter (fun i -> i <> Vocabulary.PadId)
        |> Seq.map vocabulary.TokenOf
        |> Array.ofSeq

    /// The vocabulary as JSON text (its tokens in id order), to save beside a model.
    let toJson (vocabulary: Vocabulary) : string = Json.write vocabulary.Tokens

    /// A vocabulary from JSON text written by `toJson`.
    let ofJson (json: string) : Vocabulary =
        let tokens =
            Json.read<string[]>
                "Vocabulary.ofJson"
                (fun t ->
                    not (isNull t)
                    && t.Length >= 2
                    && t[0] = Vocabulary.PadToken
                    && t[1] = Vocabulary.UnknownToken)
                json

        Vocabulary tokens
