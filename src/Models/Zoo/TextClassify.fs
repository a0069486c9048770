/// Spam filtering with word embeddings and a GRU, compared with a bag-of-words logistic regression.
module Functional.Models.Zoo.TextClassify

open Functional
open Functional.Models.Zoo.SpamText

/// Registry name.
let name = "text-classify"

/// Tokens per message seen by the GRU (the first ones).
let length = 300

/// The maximum and the mean over time of a sequence [N; T; H] -> [N; 2H].
let maxAndMeanOverTime =
    Model.lambda "MaxAndMeanOverTime" (fun x -> Tensor.cat ([ Tensor.max (x, 1); Tensor.mean (x, 1) ], -1))

/// Embeddings (64) -> GRU (64, every step) -> max and mean over time -> 2 logits (ham, spam).
let model =
    Layers.embedding (vocabularySize, 64, weightInit = Init.normal 0.0 0.1)
    => Layers.gru (64, returnSequences = true)
    => maxAndMeanOverTime
    => Layers.dropout 0.3
    => Layers.dense 2

/// The held-out set and F1 for `evaluate`/`predict`.
let evaluation (quick: bool) : ZooEvaluation = SpamText.evaluation model length quick

/// Trains, trains the baseline, prints the test F1 of the spam class last.
let run (options: ZooOptions) : ZooResult =
    let dir = Zoo.folder options name
    printfn "== text-classify: SpamAssassin (6,046 e-mails, ham vs spam), 80/20 split"
    let data = load options.Quick

    printfn
        "vocabulary: %d words; %d training / %d test messages"
        data.Vocabulary.Count
        data.Train.Length
        data.Test.Length

    let baselineF1, _ = bagOfWordsBaseline options data
    let xTrain, yTrain = sequences length data.Train
    let xTest, yTest = sequences length data.Test
    let batchSize = 32

    let config =
        {
            Model = model
            Loss = fun logits y -> Losses.crossEntropy (logits, y)
            Optimizer = Transform.chain [ Transform.clipByGlobalNorm 1.0; Optim.adam 2e-3 ]
            Metrics = [ Metrics.accuracy; Metrics.f1 Binary 2 ]
        }

    Zoo.header "embeddings + GRU" [ length ] model
    let state = TrainStep.init config (Rng.seed 1) [ length ]

    let fit =
        Train.fit
            config
            { Zoo.fitOptions options 4 batchSize with
                Validation = Some(xTest, yTest)
            }
            state
            (xTrain, yTrain)

    let seconds = Zoo.reportTime fit.History batchSize
    let reloaded, files = Zoo.saveRun options name [ length ] model fit
    let logits = Train.predict config reloaded 256 xTest

    let plot =
        Zoo.confusion dir [ "ham"; "spam" ] (Zoo.argmaxLabels logits) (Zoo.labels yTest)

    let f1, accuracy = scores logits yTest
    printfn "GRU vs bag-of-words baseline: f1 %.4f vs %.4f (accuracy %.4f)" f1 baselineF1 accuracy
    Zoo.metricLine "f1" f1

    {
        Name = name
        Metric = "f1"
        Value = f1
        Epochs = fit.History.Epochs.Length
        SecondsPerEpoch = seconds
        Parameters = Params.count fit.State.Params
        Details = [ "accuracy", accuracy; "baseline_f1", baselineF1 ]
        Files = files @ [ plot ]
    }
