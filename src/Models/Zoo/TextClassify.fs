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
    trainClassifier options name "embeddings + GRU" model length (Optim.adam 2e-3) 4
