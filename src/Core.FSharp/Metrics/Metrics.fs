namespace Functional

open System
open Functional.MetricStatistics

/// Ready-made streaming metrics (each value is an empty accumulator; see `Metric`). Conventions:
/// classification predictions are class scores [..., C] (logits or probabilities; argmax is the
/// prediction) or labels of the targets' shape; targets are integer class labels of any dtype.
/// Computing a metric before any sample was added raises InvalidOperationException.
module Metrics =
    let private requireSamples (name: string) (count: int64) =
        if count = 0L then
            Errors.invalid
                $"Metrics.{name}"
                "no samples were added"
                "Update the metric with at least one batch first."

    let private ratioMetric (name: string) (count: Tensor -> Tensor -> int64 * int64) =
        Metric.create
            name
            (0L, 0L)
            (fun (hits, total) p t ->
                let h, n = count p t
                hits + h, total + n)
            (fun (hits, total) ->
                requireSamples name total
                float hits / float total)

    let private countEqual (p: int[]) (y: int[]) =
        int64 (Array.fold2 (fun s a b -> if a = b then s + 1 else s) 0 p y), int64 y.Length

    /// Fraction of correct class predictions: argmax of scores [..., C], or labels of the targets' shape.
    let accuracy: Metric =
        ratioMetric "accuracy" (fun p t ->
            MetricLabels.classLabels "Metrics.accuracy" None p t ||> countEqual)

    /// Fraction of correct binary predictions: probability (or score) >= threshold against 0/1 targets.
    let binaryAccuracy (threshold: float) : Metric =
        ratioMetric "binary_accuracy" (fun p t ->
            MetricLabels.binaryLabels "Metrics.binaryAccuracy" threshold p t ||> countEqual)

    /// Fraction of targets among the k highest class scores [..., C]; classes tied with the k-th
    /// score count as in the top k (like tf.math.in_top_k).
    let topKAccuracy (k: int) : Metric =
        if k < 1 then
            Errors.fail "Metrics.topKAccuracy" $"k = {k}" "Use k >= 1."

        ratioMetric $"top{k}_accuracy" (fun p t ->
            let scores, c, y = MetricLabels.scoreRows "Metrics.topKAccuracy" None p t

            let hits =
                y
                |> Array.mapi (fun i label ->
                    let target = scores[i * c + label]
                    let mutable above = 0

                    for j in 0 .. c - 1 do
                        if scores[i * c + j] > target then
                            above <- above + 1

                    if above < k then 1L else 0L)
                |> Array.sum

            hits, int64 y.Length)

    let private matrixMetric
        (name: string)
        (classes: int)
        (average: Average)
        (score: ConfusionMatrix -> float)
        =
        if average = Binary && classes <> 2 then
            Errors.fail
                $"Metrics.{name}"
                $"Binary averaging needs 2 classes, got {classes}"
                "Use Macro or Micro."

        let prefix =
            match average with
            | Binary -> ""
            | Macro -> "macro_"
            | Micro -> "micro_"

        Metric.create (prefix + name) (ConfusionMatrix.empty classes) (fun m p t -> m.Add(p, t)) (fun m ->
            requireSamples name m.Total
            score m)

    /// Precision TP / (TP + FP) over `classes` classes, combined as `average` says (Binary: class 1
    /// positive; two-class floating-point predictions of the targets' shape are probabilities, >= 0.5).
    let precision (average: Average) (classes: int) : Metric =
        matrixMetric "precision" classes average (ConfusionMatrix.precision average)

    /// Recall TP / (TP + FN) over `classes` classes, combined as `average` says.
    let recall (average: Average) (classes: int) : Metric =
        matrixMetric "recall" classes average (ConfusionMatrix.recall average)

    /// F1 = 2PR / (P + R) over `classes` classes, combined as `average` says (Macro: mean of class F1s).
    let f1 (average: Average) (classes: int) : Metric =
        matrixMetric "f1" classes average (ConfusionMatrix.f1 average)

    let private aucOf (name: string) (scores: float[]) (labels: int[]) =
        match rocAuc scores labels with
        | Some v -> v
        | None ->
            Errors.invalid
                $"Metrics.{name}"
                $"only one class is present among the {labels.Length} targets, so the ROC curve is undefined"
                "Evaluate on data with both positive and negative samples."

    /// Area under the ROC curve for binary targets (0/1) and scores of the same shape (exact: keeps
    /// every score; ties get average ranks).
    let rocAuc: Metric =
        Metric.create
            "roc_auc"
            []
            (fun chunks p t ->
                let _, y = MetricLabels.binaryLabels "Metrics.rocAuc" 0.5 p t
                (MetricLabels.values p, y) :: chunks)
            (fun chunks ->
                let scores = chunks |> List.rev |> List.map fst |> Array.concat
                requireSamples "rocAuc" scores.LongLength
                aucOf "rocAuc" scores (chunks |> List.rev |> List.map snd |> Array.concat))

    /// One-vs-rest ROC-AUC averaged over `classes` classes, from class scores [..., C] (scikit-learn's
    /// multi_class="ovr", average="macro").
    let rocAucMacro (classes: int) : Metric =
        Metric.create
            "macro_roc_auc"
            []
            (fun chunks p t ->
                let scores, _, y = MetricLabels.scoreRows "Metrics.rocAucMacro" (Some classes) p t
                (scores, y) :: chunks)
            (fun chunks ->
                let scores = chunks |> List.rev |> List.map fst |> Array.concat
                let y = chunks |> List.rev |> List.map snd |> Array.concat
                requireSamples "rocAucMacro" y.LongLength

                Array.init classes (fun c ->
                    let column = Array.init y.Length (fun i -> scores[i * classes + c])
                    aucOf "rocAucMacro" column (y |> Array.map (fun l -> if l = c then 1 else 0)))
                |> Array.average)

    let private meanMetric (name: string) (perElement: float[] -> float[] -> float) =
        Metric.create
            name
            (0.0, 0L)
            (fun (sum, count) p t ->
                let pv, yv = MetricLabels.pairedValues $"Metrics.{name}" p t
                sum + perElement pv yv, count + int64 yv.Length)
            (fun (sum, count) ->
                requireSamples name count
                sum / float count)

    /// Mean squared error (1/n) Σ (prediction - target)² over all elements.
    let mse: Metric =
        meanMetric "mse" (fun p y -> Array.fold2 (fun s a b -> s + (a - b) * (a - b)) 0.0 p y)

    /// Mean absolute error (1/n) Σ |prediction - target| over all elements.
    let mae: Metric =
        meanMetric "mae" (fun p y -> Array.fold2 (fun s a b -> s + abs (a - b)) 0.0 p y)

    /// Coefficient of determination R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)², per output column for targets
    /// [N; ...] and averaged over outputs (scikit-learn's "uniform_average"; a constant target column
    /// scores 1 if predicted exactly, else 0).
    let r2: Metric =
        Metric.create
            "r2"
            ([||]: Moments[])
            (fun state p t ->
                let pv, yv = MetricLabels.pairedValues "Metrics.r2" p t

                let outputs =
                    if t.Rank <= 1 || t.Shape[0] = 0 then
                        1
                    else
                        yv.Length / t.Shape[0]

                let outputs = max outputs 1

                if state.Length <> 0 && state.Length <> outputs then
                    Errors.fail
                        "Metrics.r2"
                        $"targets of shape {MetricLabels.shapeOf t} have {outputs} outputs, earlier batches had {state.Length}"
                        "Keep the number of output columns fixed."

                let column (xs: float[]) o =
                    Array.init (xs.Length / outputs) (fun i -> xs[i * outputs + o])

                let batch = Array.init outputs (fun o -> moments (column pv o) (column yv o))

                if state.Length = 0 then
                    batch
                else
                    Array.map2 merge state batch)
            (fun state ->
                requireSamples "r2" (if state.Length = 0 then 0L else state[0].Count)
                state |> Array.averageBy rSquared)

    /// exp of the mean negative log-likelihood per token, from logits [..., C] and integer targets
    /// [...] (log-softmax is applied here).
    let perplexity: Metric =
        Metric.create
            "perplexity"
            (0.0, 0L)
            (fun (nll, count) p t ->
                let logits, c, y = MetricLabels.scoreRows "Metrics.perplexity" None p t

                let batch =
                    y
                    |> Array.mapi (fun i label -> logSumExp logits (i * c) c - logits[i * c + label])
                    |> Array.sum

                if Double.IsNaN batch then
                    Errors.fail
                        "Metrics.perplexity"
                        "the log-likelihood of the batch is NaN (a row of logits is +Inf or all -Inf)"
                        "Check the model output for non-finite values."

                nll + batch, count + int64 y.Length)
            (fun (nll, count) ->
                requireSamples "perplexity" count
                exp (nll / float count))

    /// The mean over all elements of `perElement predictions targets` (e.g. a loss per sample), over every batch.
    let meanOf (name: string) (perElement: Tensor -> Tensor -> Tensor) : Metric =
        Metric.create
            name
            (0.0, 0L)
            (fun (sum, count) p t ->
                let v = MetricLabels.values (perElement p t)
                sum + Array.sum v, count + int64 v.Length)
            (fun (sum, count) ->
                requireSamples name count
                sum / float count)
