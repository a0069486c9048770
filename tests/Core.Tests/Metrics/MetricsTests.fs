module Functional.Tests.Metrics.MetricsTests

open System
open Expecto
open MathNet.Numerics
open MathNet.Numerics.Statistics
open Functional
open Functional.Tests

let private vec (xs: float list) =
    Tensor.create (Array.ofList xs, Float64)

let private mat (rows: float list list) = Tensor.create (array2D rows, Float64)
let private ints (xs: int list) = Tensor.create (Array.ofList xs, Int64)

let private close (what: string) (expected: float) (got: float) =
    Expect.floatClose { absolute = 1e-12; relative = 1e-10 } got expected what

/// The value of a metric over one batch.
let private once (m: Metric) p t = m.Update(p, t).Compute()

/// AUC by counting concordant (positive, negative) pairs, ties counting 1/2.
let private pairwiseAuc (scores: float[]) (labels: int[]) =
    let pos =
        [
            for i in 0 .. scores.Length - 1 do
                if labels[i] = 1 then
                    scores[i]
        ]

    let neg =
        [
            for i in 0 .. scores.Length - 1 do
                if labels[i] = 0 then
                    scores[i]
        ]

    let wins =
        List.sum
            [
                for p in pos do
                    for n in neg ->
                        if p > n then 1.0
                        elif p = n then 0.5
                        else 0.0
            ]

    wins / float (pos.Length * neg.Length)

let private classification =
    testList
        "classification"
        [
            test "accuracy from class scores (argmax) and from labels" {
                let scores = mat [ [ 0.1; 0.9 ]; [ 0.8; 0.2 ]; [ 0.3; 0.7 ]; [ 0.6; 0.4 ] ]
                close "scores" 0.75 (once Metrics.accuracy scores (ints [ 1; 0; 0; 0 ]))
                close "labels" 0.75 (once Metrics.accuracy (ints [ 2; 1; 0; 2 ]) (ints [ 2; 1; 1; 2 ]))
                close "float labels" 0.5 (once Metrics.accuracy (vec [ 1.0; 0.0 ]) (vec [ 1.0; 1.0 ]))
            }

            test "binary accuracy thresholds probabilities" {
                let p = vec [ 0.2; 0.7; 0.5; 0.49 ]
                close "0.5" 0.75 (once (Metrics.binaryAccuracy 0.5) p (ints [ 0; 1; 1; 1 ]))
                close "0.3" 1.0 (once (Metrics.binaryAccuracy 0.3) p (ints [ 0; 1; 1; 1 ]))
            }

            test "top-k accuracy counts ties as inside the top k" {
                let scores =
                    mat [ [ 0.1; 0.5; 0.3; 0.1 ]; [ 0.4; 0.3; 0.2; 0.1 ]; [ 0.25; 0.25; 0.25; 0.25 ] ]

                let y = ints [ 2; 3; 0 ]
                close "top1" (1.0 / 3.0) (once (Metrics.topKAccuracy 1) scores y)
                close "top2" (2.0 / 3.0) (once (Metrics.topKAccuracy 2) scores y)
                close "top3" (2.0 / 3.0) (once (Metrics.topKAccuracy 3) scores y)
                close "top4" 1.0 (once (Metrics.topKAccuracy 4) scores y)
                Expect.equal (Metrics.topKAccuracy 5).Name "top5_accuracy" "name"
            }

            test "binary precision, recall and F1 (hand-computed: TP 3, FP 2, FN 1)" {
                let y = ints [ 1; 1; 1; 0; 0; 0; 1; 0 ]
                let p = vec [ 0.9; 0.1; 0.6; 0.7; 0.2; 0.4; 0.5; 0.8 ] // >= 0.5 -> 1 0 1 1 0 0 1 1
                close "precision" 0.6 (once (Metrics.precision Binary 2) p y)
                close "recall" 0.75 (once (Metrics.recall Binary 2) p y)
                close "f1" (2.0 * 0.6 * 0.75 / 1.35) (once (Metrics.f1 Binary 2) p y)
                close "labels" 0.6 (once (Metrics.precision Binary 2) (ints [ 1; 0; 1; 1; 0; 0; 1; 1 ]) y)
                close "one sigmoid column" 0.75 (once (Metrics.recall Binary 2) (p.Reshape [ 8; 1 ]) y)
            }

            test "macro and micro averages match scikit-learn's definitions (hand-computed)" {
                let y = ints [ 0; 0; 1; 1; 2; 2 ]
                let p = ints [ 0; 1; 1; 1; 0; 2 ]
                close "macro precision" ((0.5 + 2.0 / 3.0 + 1.0) / 3.0) (once (Metrics.precision Macro 3) p y)
                close "macro recall" ((0.5 + 1.0 + 0.5) / 3.0) (once (Metrics.recall Macro 3) p y)
                close "macro f1" ((0.5 + 0.8 + 2.0 / 3.0) / 3.0) (once (Metrics.f1 Macro 3) p y)

                for m in [ Metrics.precision Micro 3; Metrics.recall Micro 3; Metrics.f1 Micro 3 ] do
                    close $"{m.Name} = accuracy" (4.0 / 6.0) (once m p y)

                Expect.equal (Metrics.f1 Macro 3).Name "macro_f1" "name"
            }

            test "a class never predicted has precision 0 (scikit-learn's zero_division=0)" {
                let m = ConfusionMatrix.ofLabels 3 [| 0; 0; 1 |] [| 0; 2; 1 |]
                Expect.sequenceEqual (ConfusionMatrix.classPrecision m) [| 0.5; 1.0; 0.0 |] "precision"
                Expect.sequenceEqual (ConfusionMatrix.classRecall m) [| 1.0; 1.0; 0.0 |] "recall"
            }

            test "confusion matrix counts (actual, predicted) pairs and is immutable" {
                let empty = ConfusionMatrix.empty 3

                let scores =
                    mat [ [ 0.1; 0.8; 0.1 ]; [ 0.9; 0.05; 0.05 ]; [ 0.2; 0.3; 0.5 ]; [ 0.2; 0.7; 0.1 ] ]

                let m = empty |> ConfusionMatrix.update scores (ints [ 1; 2; 2; 0 ])
                Expect.equal empty.Total 0L "the empty matrix is unchanged"
                Expect.equal m.Total 4L "total"
                Expect.equal m[1, 1] 1L "1 -> 1"
                Expect.equal m[2, 0] 1L "2 -> 0"
                Expect.equal m[2, 2] 1L "2 -> 2"
                Expect.equal m[0, 1] 1L "0 -> 1"
                Expect.equal (m.ToArray() |> Seq.cast<int64> |> Seq.sum) 4L "array"
                close "accuracy" 0.5 (ConfusionMatrix.accuracy m)
            }

            test "ROC-AUC: scikit-learn's example, ties and pairwise counting on random scores" {
                close "example" 0.75 (once Metrics.rocAuc (vec [ 0.1; 0.4; 0.35; 0.8 ]) (ints [ 0; 0; 1; 1 ]))
                close "ties" 0.875 (once Metrics.rocAuc (vec [ 0.5; 0.5; 0.2; 0.9 ]) (ints [ 1; 0; 0; 1 ]))
                let r = Random 5

                for _ in 1..20 do
                    let n = r.Next(2, 60)
                    let s = Array.init n (fun _ -> float (r.Next 10) / 10.0) // many ties
                    let y = Array.init n (fun i -> if i < 2 then i else r.Next 2)

                    let got =
                        once Metrics.rocAuc (Tensor.create (s, Float64)) (Tensor.create (y, Int64))

                    close "pairwise" (pairwiseAuc s y) got
                    // Mann-Whitney with MathNet's average ranks
                    let ranks = Statistics.Ranks(s, RankDefinition.Average)
                    let npos = float (Array.sum y)

                    let rankSum =
                        Array.fold2 (fun acc rk l -> if l = 1 then acc + rk else acc) 0.0 ranks y

                    close
                        "MathNet ranks"
                        ((rankSum - npos * (npos + 1.0) / 2.0) / (npos * (float n - npos)))
                        got
            }

            test "macro one-vs-rest ROC-AUC is the mean of per-class AUCs" {
                let r = Random 9
                let n, k = 40, 3
                let s = Array.init (n * k) (fun _ -> r.NextDouble())
                let y = Array.init n (fun i -> i % k)

                let got =
                    once
                        (Metrics.rocAucMacro k)
                        (Tensor.create(s, Float64).Reshape [ n; k ])
                        (Tensor.create (y, Int64))

                let expected =
                    [
                        for c in 0 .. k - 1 ->
                            pairwiseAuc
                                (Array.init n (fun i -> s[i * k + c]))
                                (y |> Array.map (fun l -> if l = c then 1 else 0))
                    ]
                    |> List.average

                close "macro" expected got
            }
        ]

let private regression =
    testList
        "regression and perplexity"
        [
            test "MSE, MAE and R² on scikit-learn's example" {
                let y = vec [ 3.0; -0.5; 2.0; 7.0 ]
                let p = vec [ 2.5; 0.0; 2.0; 8.0 ]
                close "mse" 0.375 (once Metrics.mse p y)
                close "mae" 0.5 (once Metrics.mae p y)
                close "r2" 0.9486081370449679 (once Metrics.r2 p y)
            }

            test "multi-output R² averages the columns (scikit-learn's uniform_average)" {
                let y = mat [ [ 0.5; 1.0 ]; [ -1.0; 1.0 ]; [ 7.0; -6.0 ] ]
                let p = mat [ [ 0.0; 2.0 ]; [ -1.0; 2.0 ]; [ 8.0; -5.0 ] ]
                close "r2" 0.9368005266622779 (once Metrics.r2 p y)
            }

            test "MSE, MAE and R² agree with MathNet.Numerics on random data" {
                let r = Random 11
                let y = Array.init 200 (fun _ -> r.NextDouble() * 10.0 - 3.0)
                let p = y |> Array.map (fun v -> v + r.NextDouble() - 0.5)
                let pt, yt = Tensor.create (p, Float64), Tensor.create (y, Float64)
                close "mse" (Distance.MSE(p, y)) (once Metrics.mse pt yt)
                close "mae" (Distance.MAE(p, y)) (once Metrics.mae pt yt)
                close "r2" (GoodnessOfFit.CoefficientOfDetermination(p, y)) (once Metrics.r2 pt yt)
            }

            test "R² of a constant target is 1 when exact, 0 otherwise" {
                close "exact" 1.0 (once Metrics.r2 (vec [ 2.0; 2.0 ]) (vec [ 2.0; 2.0 ]))
                close "off" 0.0 (once Metrics.r2 (vec [ 2.0; 3.0 ]) (vec [ 2.0; 2.0 ]))
            }

            test "perplexity is exp of the mean negative log-likelihood" {
                close
                    "uniform over 4"
                    4.0
                    (once Metrics.perplexity (Tensor.zeros ([ 3; 4 ], Float64)) (ints [ 0; 3; 1 ]))

                let logits = mat [ [ 0.0; log 3.0 ]; [ 0.0; log 3.0 ] ] // p = (1/4, 3/4)
                close "two tokens" (1.0 / sqrt (0.25 * 0.75)) (once Metrics.perplexity logits (ints [ 0; 1 ]))
                let big = mat [ [ 1000.0; 0.0 ] ]
                close "stable for large logits" 1.0 (once Metrics.perplexity big (ints [ 0 ]))
            }

            test "meanOf averages a per-element function over all elements" {
                let m = Metrics.meanOf "abs_error" (fun p t -> (p - t) * (p - t))

                let v =
                    m.Update(vec [ 1.0; 2.0 ], vec [ 0.0; 0.0 ]).Update(vec [ 3.0 ], vec [ 0.0 ]).Compute()

                close "mean" (14.0 / 3.0) v
            }
        ]

let private allMetrics k =
    [
        Metrics.accuracy, true
        Metrics.topKAccuracy 2, true
        Metrics.precision Macro k, true
        Metrics.recall Micro k, true
        Metrics.f1 Macro k, true
        Metrics.rocAucMacro k, true
        Metrics.perplexity, true
        Metrics.mse, false
        Metrics.mae, false
        Metrics.r2, false
    ]

let private streaming =
    testList
        "streaming"
        [
            testPropertyWithConfig
                { FsCheckConfig.defaultConfig with
                    maxTest = 40
                }
                "any split into batches gives the one-batch value"
            <| fun (seed: int) (cuts: byte list) ->
                let r = Random seed
                let k = 3
                let n = 30
                let scores = Array.init (n * k) (fun _ -> r.NextDouble() * 4.0 - 2.0)
                let labels = Array.init n (fun i -> if i < k then i else r.Next k)
                let targets = Array.init n (fun _ -> r.NextDouble())
                let preds = Array.init n (fun _ -> r.NextDouble())

                let bounds =
                    0 :: (cuts |> List.map (fun c -> int c % (n + 1))) @ [ n ]
                    |> List.distinct
                    |> List.sort

                let slices = List.pairwise bounds |> List.filter (fun (a, b) -> b > a)

                for m, isClassification in allMetrics k do
                    let whole, parts =
                        if isClassification then
                            let p = Tensor.create(scores, Float64).Reshape [ n; k ]
                            let t = Tensor.create (labels, Int64)

                            once m p t,
                            slices
                            |> List.fold
                                (fun (acc: Metric) (a, b) ->
                                    acc.Update(
                                        Tensor.create(scores[a * k .. b * k - 1], Float64).Reshape
                                            [ b - a; k ],
                                        Tensor.create (labels[a .. b - 1], Int64)
                                    ))
                                m
                            |> Metric.compute
                        else
                            once m (Tensor.create (preds, Float64)) (Tensor.create (targets, Float64)),
                            Metric.ofBatches
                                [
                                    for a, b in slices ->
                                        Tensor.create (preds[a .. b - 1], Float64),
                                        Tensor.create (targets[a .. b - 1], Float64)
                                ]
                                m

                    Expect.floatClose
                        { absolute = 1e-12; relative = 1e-9 }
                        parts
                        whole
                        $"{m.Name} over {slices.Length} batches"

            test "updating returns a new accumulator; the old one and Reset are unchanged" {
                let m0 = Metrics.accuracy
                let m1 = m0.Update(ints [ 1 ], ints [ 1 ])
                let m2 = m1.Update(ints [ 0 ], ints [ 1 ])
                close "m1" 1.0 (m1.Compute())
                close "m2" 0.5 (m2.Compute())
                close "m1 again" 1.0 (m1.Compute())
                TestUtil.throwsInvalid [ "accuracy"; "no samples" ] (fun () -> m2.Reset().Compute())
            }
        ]

let private errors =
    testList
        "errors"
        [
            test "mismatched shapes name both shapes" {
                TestUtil.throwsArgument [ "Metrics.mse"; "[3]"; "[2]" ] (fun () ->
                    once Metrics.mse (vec [ 1.; 2.; 3. ]) (vec [ 1.; 2. ]))

                TestUtil.throwsArgument [ "Metrics.accuracy"; "[2; 3]"; "[3]" ] (fun () ->
                    once Metrics.accuracy (Tensor.zeros [ 2; 3 ]) (ints [ 0; 1; 2 ]))
            }

            test "labels out of range, non-integer labels and NaN scores are rejected" {
                TestUtil.throwsArgument [ "class 3"; "[0, 3)" ] (fun () ->
                    once (Metrics.precision Macro 3) (ints [ 3 ]) (ints [ 0 ]))

                TestUtil.throwsArgument [ "0.5"; "not a class index" ] (fun () ->
                    once Metrics.accuracy (vec [ 0.5 ]) (vec [ 1.0 ]))

                TestUtil.throwsArgument [ "NaN" ] (fun () ->
                    once Metrics.accuracy (mat [ [ nan; 1.0 ] ]) (ints [ 0 ]))

                TestUtil.throwsArgument [ "NaN" ] (fun () -> once Metrics.mse (vec [ 1.0 ]) (vec [ nan ]))

                TestUtil.throwsArgument [ "4 class scores"; "3 classes" ] (fun () ->
                    once (Metrics.f1 Macro 3) (Tensor.zeros [ 1; 4 ]) (ints [ 0 ]))
            }

            test "ROC-AUC with one class present, Binary with 3 classes and k = 0 are explained" {
                TestUtil.throwsInvalid [ "rocAuc"; "only one class" ] (fun () ->
                    once Metrics.rocAuc (vec [ 0.1; 0.2 ]) (ints [ 1; 1 ]))

                TestUtil.throwsArgument [ "Binary"; "2 classes" ] (fun () -> Metrics.precision Binary 3)
                TestUtil.throwsArgument [ "k = 0" ] (fun () -> Metrics.topKAccuracy 0)
            }
        ]

[<Tests>]
let tests = testList "Metrics" [ classification; regression; streaming; errors ]
