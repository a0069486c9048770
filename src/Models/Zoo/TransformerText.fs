/// Spam filtering with a small Transformer encoder, compared with a bag-of-words logistic regression.
module Functional.Models.Zoo.TransformerText

open Functional
open Functional.Models.Zoo.SpamText

/// Registry name.
let name = "transformer-text"

/// The encoder sees 256 tokens per message: the first 160 and the last 96 of a longer one.
let window = { Length = 256; Tail = 96 }

/// Embeddings (64) -> [learned positions -> 2 encoder layers (4 heads, feed-forward 128) -> max and mean over
/// time; max and mean of the embeddings themselves] -> 2 logits.
let model =
    let encoder =
        Layers.positionalEmbedding (window.Length, weightInit = Init.normal 0.0 0.1)
        => Layers.transformerEncoder (numLayers = 2, numHeads = 4, dimFeedforward = 128, dropout = 0.1)
        => TextClassify.maxAndMeanOverTime

    Layers.embedding (vocabularySize, 64, weightInit = Init.normal 0.0 0.1)
    => Model.concat [ encoder; TextClassify.maxAndMeanOverTime ]
    => Layers.dropout 0.3
    => Layers.dense 2

/// The held-out set and F1 for `evaluate`/`predict`.
let evaluation (quick: bool) : ZooEvaluation = SpamText.evaluation model window quick

/// Trains (at most 12 epochs, early stopping on the validation loss), trains the baseline, prints the test F1
/// of the spam class last.
let run (options: ZooOptions) : ZooResult =
    trainClassifier
        options
        name
        "Transformer encoder"
        model
        window
        (Optim.adamW (5e-4, weightDecay = 0.01))
        12
