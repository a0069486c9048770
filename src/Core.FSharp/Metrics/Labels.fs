/// Reading predictions and targets of a batch as .NET arrays for the metrics, with the checks that
/// turn a wrong shape or value into a clear message.
module internal Functional.MetricLabels

open System
open Functional

/// `[2; 3]` for a tensor's shape.
let shapeOf (t: Tensor) =
    Errors.shapeText (t.Shape |> Array.map int64)

/// The elements as floats (row-major).
let values (t: Tensor) : float[] = t.ToArray<float>()

let private isIntegral (v: float) = Double.IsFinite v && Math.Round v = v

/// Class labels from a tensor of integer values (any dtype), each in [0, classes) when `classes` is given.
let labels (op: string) (what: string) (classes: int option) (t: Tensor) : int[] =
    values t
    |> Array.mapi (fun i v ->
        if not (isIntegral v) then
            Errors.fail op $"{what} element {i} is {v}, not a class index" "Pass integer class labels."

        match classes with
        | Some k when v < 0.0 || v >= float k ->
            Errors.fail op $"{what} element {i} is class {v}, outside [0, {k})" $"Use labels 0 .. {k - 1}."
        | _ when v < 0.0 -> Errors.fail op $"{what} element {i} is {v}, a negative class" "Use labels >= 0."
        | _ -> int v)

/// True when the predictions are one score per class for each target ([..., C] against [...]).
let isScores (predictions: Tensor) (targets: Tensor) =
    predictions.Rank = targets.Rank + 1
    && predictions.Shape[.. predictions.Rank - 2] = targets.Shape

/// Rows of class scores ([..., C] flattened to n rows of C) with one integer target each.
let scoreRows (op: string) (classes: int option) (predictions: Tensor) (targets: Tensor) =
    if not (isScores predictions targets) then
        Errors.fail
            op
            $"predictions of shape {shapeOf predictions} are not one score per class for targets of shape {shapeOf targets}"
            "Pass scores of shape [..., classes] (logits or probabilities) and integer targets of shape [...]."

    let c = predictions.Shape[predictions.Rank - 1]

    match classes with
    | Some k when k <> c ->
        Errors.fail
            op
            $"predictions have {c} class scores but the metric was made for {k} classes"
            "Use the same class count."
    | _ -> ()

    if c = 0 then
        Errors.fail op "predictions have 0 class scores" "Pass at least one class."

    let scores = values predictions

    match scores |> Array.tryFindIndex Double.IsNaN with
    | Some i -> Errors.fail op $"prediction element {i} is NaN" "Check the model output for NaN."
    | None -> ()

    let y = labels op "target" (Some c) targets
    scores, c, y

/// Index of the largest of `c` scores starting at `offset` (the first one on ties).
let argmaxRow (scores: float[]) (offset: int) (c: int) =
    let mutable best = 0

    for j in 1 .. c - 1 do
        if scores[offset + j] > scores[offset + best] then
            best <- j

    best

/// Predicted and true labels: scores [..., C] are reduced by argmax (C = 1 with two classes: score >= 0.5);
/// same-shaped predictions are labels, or, for two classes and a floating-point dtype, probabilities of
/// class 1 thresholded at 0.5.
let classLabels (op: string) (classes: int option) (predictions: Tensor) (targets: Tensor) : int[] * int[] =
    if isScores predictions targets then
        let c = predictions.Shape[predictions.Rank - 1]

        if c = 1 && classes = Some 2 then
            let p = values predictions
            p |> Array.map (fun v -> if v >= 0.5 then 1 else 0), labels op "target" classes targets
        else
            let scores, c, y = scoreRows op classes predictions targets
            Array.init y.Length (fun i -> argmaxRow scores (i * c) c), y
    elif predictions.Shape = targets.Shape then
        let y = labels op "target" classes targets

        let p =
            if classes = Some 2 && predictions.Dtype.IsFloatingPoint then
                values predictions |> Array.map (fun v -> if v >= 0.5 then 1 else 0)
            else
                labels op "prediction" classes predictions

        p, y
    else
        Errors.fail
            op
            $"predictions of shape {shapeOf predictions} do not match targets of shape {shapeOf targets}"
            "Pass class scores [..., classes] or labels of the targets' shape."

/// Binary labels: predictions >= threshold (any shape equal to the targets'); targets must be 0 or 1.
let binaryLabels (op: string) (threshold: float) (predictions: Tensor) (targets: Tensor) : int[] * int[] =
    if predictions.Shape <> targets.Shape then
        Errors.fail
            op
            $"predictions of shape {shapeOf predictions} do not match targets of shape {shapeOf targets}"
            "Pass one probability (or score) per target."

    let p = values predictions

    match p |> Array.tryFindIndex Double.IsNaN with
    | Some i -> Errors.fail op $"prediction element {i} is NaN" "Check the model output for NaN."
    | None -> ()

    p |> Array.map (fun v -> if v >= threshold then 1 else 0), labels op "target" (Some 2) targets

/// Predictions and targets of equal shape as float arrays (for regression metrics); no NaN allowed.
let pairedValues (op: string) (predictions: Tensor) (targets: Tensor) : float[] * float[] =
    if predictions.Shape <> targets.Shape then
        Errors.fail
            op
            $"predictions of shape {shapeOf predictions} do not match targets of shape {shapeOf targets}"
            "Pass predictions with the targets' shape."

    let p = values predictions
    let y = values targets

    match p |> Array.tryFindIndex Double.IsNaN, y |> Array.tryFindIndex Double.IsNaN with
    | Some i, _ -> Errors.fail op $"prediction element {i} is NaN" "Check the model output for NaN."
    | _, Some i -> Errors.fail op $"target element {i} is NaN" "Remove or impute missing targets."
    | _ -> p, y
