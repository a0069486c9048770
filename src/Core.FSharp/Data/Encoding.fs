namespace Functional.Data

open System
open System.Collections.Generic
open Functional

/// One-hot encoding of class indices.
module OneHot =
    let private check (op: string) (classes: int) (labels: int[]) =
        if classes <= 0 then
            Errors.fail op $"the class count {classes} is not positive" "Pass the number of classes."

        match labels |> Array.tryFindIndex (fun l -> l < 0 || l >= classes) with
        | Some i ->
            Errors.fail
                op
                $"label {labels[i]} at position {i} is not in [0, {classes - 1}]"
                "Pass class indices below the class count."
        | None -> ()

    /// One sample's one-hot vector: 1 at `label`, 0 elsewhere.
    let vector (classes: int) (label: int) : float32[] =
        check "OneHot.vector" classes [| label |]
        Array.init classes (fun c -> if c = label then 1.0f else 0.0f)

    /// A Float32 tensor [n; classes] with a 1 at each sample's label.
    let encode (classes: int) (labels: int[]) : Tensor =
        check "OneHot.encode" classes labels
        let data = Array.zeroCreate<float32>(labels.Length * classes)
        labels |> Array.iteri (fun i l -> data[i * classes + l] <- 1.0f)
        Batch.ofFloats [| labels.Length; classes |] data

    /// One-hot encodes an integer tensor [n] of class indices into [n; classes].
    let encodeTensor (classes: int) (labels: Tensor) : Tensor =
        if labels.Rank <> 1 then
            Errors.fail
                "OneHot.encodeTensor"
                $"labels have shape {labels.Shape}, not [n]"
                "Pass a 1-D tensor of class indices."

        encode classes (labels.ToArray<int>())

/// A fixed mapping between category names and indices 0 .. n-1 (sorted names), fitted on training data.
type LabelEncoding =
    {
        /// The category names; a name's index is its class index.
        Classes: string[]
    }

    /// Number of categories.
    member e.Count = e.Classes.Length

/// Fitting and applying label encodings.
module LabelEncoding =
    /// The distinct values, sorted (ordinal), as classes.
    let fit (values: string seq) : LabelEncoding =
        {
            Classes =
                values
                |> Seq.distinct
                |> Array.ofSeq
                |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))
        }

    /// A lookup from name to index (build once, use for many values).
    let private index (e: LabelEncoding) =
        let d = Dictionary<string, int>(StringComparer.Ordinal)
        e.Classes |> Array.iteri (fun i c -> d[c] <- i)
        d

    /// The indices of values; raises an ArgumentException for a value not seen when fitting.
    let encodeAll (e: LabelEncoding) (values: string seq) : int[] =
        let d = index e

        values
        |> Seq.map (fun v ->
            match d.TryGetValue v with
            | true, i -> i
            | _ ->
                Errors.fail
                    "LabelEncoding.encode"
                    $"'{v}' is not one of the {e.Classes.Length} classes seen when fitting"
                    "Fit on data containing every class, or map unknown values first.")
        |> Array.ofSeq

    /// The index of one value.
    let encode (e: LabelEncoding) (value: string) : int = (encodeAll e [ value ])[0]

    /// The name of class index `i`.
    let decode (e: LabelEncoding) (i: int) : string =
        if i < 0 || i >= e.Classes.Length then
            Errors.fail
                "LabelEncoding.decode"
                $"index {i} is not in [0, {e.Classes.Length - 1}]"
                "Pass a class index."

        e.Classes[i]

    /// The encoding as JSON text (to save beside a model).
    let toJson (e: LabelEncoding) : string = Json.write e

    /// An encoding from JSON text written by `toJson`.
    let ofJson (json: string) : LabelEncoding =
        Json.read "LabelEncoding.ofJson" (fun e -> not (isNull e.Classes)) json
