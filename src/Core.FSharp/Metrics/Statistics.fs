/// The arithmetic behind the streaming metrics, on plain arrays: ROC-AUC by ranks, mergeable
/// mean/variance accumulators for R², and log-sum-exp for perplexity.
module internal Functional.MetricStatistics

open System

/// Area under the ROC curve of scores against 0/1 labels: the Mann-Whitney U statistic normalised,
/// with tied scores given their average rank. None when only one class is present.
let rocAuc (scores: float[]) (labels: int[]) : float option =
    let n = scores.Length

    let order =
        Array.init n id |> Array.sortWith (fun a b -> compare scores[a] scores[b])

    let ranks = Array.zeroCreate<float> n
    let mutable i = 0

    while i < n do
        let mutable j = i

        while j + 1 < n && scores[order[j + 1]] = scores[order[i]] do
            j <- j + 1

        let average = float (i + j) / 2.0 + 1.0

        for k in i..j do
            ranks[order[k]] <- average

        i <- j + 1

    let positives = labels |> Array.sumBy (fun l -> if l = 1 then 1L else 0L)
    let negatives = int64 n - positives

    if positives = 0L || negatives = 0L then
        None
    else
        let rankSum =
            Seq.sum (
                seq {
                    for k in 0 .. n - 1 do
                        if labels[k] = 1 then
                            ranks[k]
                }
            )

        let p = float positives
        Some((rankSum - p * (p + 1.0) / 2.0) / (p * float negatives))

/// Count, mean and sum of squared deviations of one output's targets, and its residual sum of squares.
[<Struct>]
type Moments =
    {
        Count: int64
        Mean: float
        M2: float
        Residual: float
    }

/// Empty moments.
let noMoments =
    {
        Count = 0L
        Mean = 0.0
        M2 = 0.0
        Residual = 0.0
    }

/// Merges two sets of moments (Chan et al.'s parallel variance update).
let merge (a: Moments) (b: Moments) : Moments =
    if a.Count = 0L then
        b
    elif b.Count = 0L then
        a
    else
        let n = a.Count + b.Count
        let delta = b.Mean - a.Mean

        {
            Count = n
            Mean = a.Mean + delta * float b.Count / float n
            M2 = a.M2 + b.M2 + delta * delta * float a.Count * float b.Count / float n
            Residual = a.Residual + b.Residual
        }

/// Moments of one batch of targets (with predictions for the residuals).
let moments (predictions: float[]) (targets: float[]) : Moments =
    let n = targets.Length

    if n = 0 then
        noMoments
    else
        let mean = Array.average targets

        {
            Count = int64 n
            Mean = mean
            M2 = targets |> Array.sumBy (fun y -> (y - mean) * (y - mean))
            Residual = Array.fold2 (fun s p y -> s + (y - p) * (y - p)) 0.0 predictions targets
        }

/// R² = 1 - SS_res / SS_tot for one output; a constant target gives 1 if predicted exactly, else 0
/// (scikit-learn's `force_finite`).
let rSquared (m: Moments) =
    if m.M2 = 0.0 then
        (if m.Residual = 0.0 then 1.0 else 0.0)
    else
        1.0 - m.Residual / m.M2

/// log Σ exp x over `count` values starting at `offset`, stable for large values.
let logSumExp (xs: float[]) (offset: int) (count: int) =
    let mutable m = Double.NegativeInfinity

    for j in 0 .. count - 1 do
        m <- max m xs[offset + j]

    if Double.IsNegativeInfinity m || Double.IsPositiveInfinity m then
        m
    else
        let mutable s = 0.0

        for j in 0 .. count - 1 do
            s <- s + exp (xs[offset + j] - m)

        m + log s
