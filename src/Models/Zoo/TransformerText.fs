/// Spam filtering with a small Transformer encoder, compared with a bag-of-words logistic regression.
module Functional.Models.Zoo.TransformerText

open Functional
open Functional.Models.Zoo.SpamText

/// Registry name.
let name = "transformer-text"

/// Tokens per message seen by the encoder (the first ones).
let length = 128

/// Embeddings (64) + learned positions -> 2 encoder layers (4 heads, feed-forward 128) -> max and mean over
/// time -> 2 logits.
let model =
    Layers.embedding (vocabularySize, 64, weightInit = Init.normal 0.0 0.1)
    => Layers.positionalEmbedding (length, weightInit = Init.normal 0.0 0.1)
    => Layers.transformerEncoder (numLayers = 2, numHeads = 4, dimFeedforward = 128, dropout = 0.1)
    => TextClassify.maxAndMeanOverTime
    => Layers.dropout 0.3
    => Layers.dense 2

/// The held-out set and F1 for `evaluate`/`predict`.
let evaluation (quick: bool) : ZooEvaluation = SpamText.evaluation model length quick

/// Trains, trains the baseline, prints the test F1 of the spam class last.
let run (options: ZooOptions) : ZooResult =
    trainClassifier options name "Transformer encoder" model length (Optim.adamW (5e-4, weightDecay = 0.01)) 5
