namespace Functional.Data

open Functional

/// Which tokens of a too-long sequence are kept.
type Truncation =
    /// Keep the first tokens (drop the end).
    | KeepFirst
    /// Keep the last tokens (drop the beginning).
    | KeepLast

/// Token-id sequences to fixed-length batches: padding, truncation, masks, and next-token windows.
module Sequences =
    /// The sequence cut or padded (at the end, with `padId`) to `length`, and its mask (true for real tokens).
    let padOrTruncate (truncation: Truncation) (length: int) (padId: int) (ids: int[]) : int[] * bool[] =
        if length <= 0 then
            Errors.fail "Sequences.padOrTruncate" $"length {length} is not positive" "Use a length >= 1."

        let kept =
            if ids.Length <= length then
                ids
            else
                match truncation with
                | KeepFirst -> Array.sub ids 0 length
                | KeepLast -> Array.sub ids (ids.Length - length) length

        Array.init length (fun i -> if i < kept.Length then kept[i] else padId),
        Array.init length (fun i -> i < kept.Length)

    /// (ids Int64 [n; length], mask Float32 [n; length] with 1 for real tokens and 0 for padding).
    let batch (truncation: Truncation) (length: int) (padId: int) (sequences: int[][]) : Tensor * Tensor =
        let n = sequences.Length
        let ids = Array.zeroCreate<int64>(n * length)
        let mask = Array.zeroCreate<float32>(n * length)

        sequences
        |> Array.iteri (fun i s ->
            let padded, m = padOrTruncate truncation length padId s

            for j in 0 .. length - 1 do
                ids[i * length + j] <- int64 padded[j]
                mask[i * length + j] <- if m[j] then 1.0f else 0.0f)

        Batch.ofLongs [| n; length |] ids, Batch.ofFloats [| n; length |] mask

    /// Like `batch`, padding to the longest sequence of the batch.
    let batchToLongest (padId: int) (sequences: int[][]) : Tensor * Tensor =
        let longest = sequences |> Array.fold (fun m s -> max m s.Length) 1
        batch KeepFirst longest padId sequences

    /// Collates (token ids, class) samples into (ids [n; length], mask [n; length], labels [n]),
    /// padding to the longest sequence of the batch but at most `maxLength` (longer ones keep their start).
    let classification (maxLength: int) (padId: int) (samples: (int[] * int)[]) : Tensor * Tensor * Tensor =
        let seqs = Array.map fst samples
        let longest = seqs |> Array.fold (fun m s -> max m s.Length) 1
        let ids, mask = batch KeepFirst (min maxLength longest) padId seqs
        ids, mask, Batch.labels (Array.map snd samples)

    /// Next-token training windows over one long sequence: sample k is (ids[s .. s+length-1],
    /// ids[s+1 .. s+length]) with s = k * stride.
    let windows (length: int) (stride: int) (ids: int[]) : Dataset<int[] * int[]> =
        if length <= 0 || stride <= 0 then
            Errors.fail
                "Sequences.windows"
                $"length {length} and stride {stride} must be positive"
                "Use e.g. length 100, stride 100."

        let count =
            if ids.Length <= length then
                0
            else
                (ids.Length - length - 1) / stride + 1

        Dataset.init count (fun k -> Array.sub ids (k * stride) length, Array.sub ids (k * stride + 1) length)

    /// Collates windows into (inputs Int64 [n; length], targets Int64 [n; length]).
    let windowBatch (samples: (int[] * int[])[]) : Tensor * Tensor =
        let n = samples.Length
        let length = if n = 0 then 0 else (fst samples[0]).Length

        let flat (pick: int[] * int[] -> int[]) =
            samples |> Array.collect pick |> Array.map int64

        Batch.ofLongs [| n; length |] (flat fst), Batch.ofLongs [| n; length |] (flat snd)
