/// Spam filtering with a small Transformer encoder, compared with a bag-of-words logistic regression.
module Functional.Models.Zoo.TransformerText

open Functional
open Functional.Data
open Functional.Models.Zoo.SpamText

/// Registry name.
let name = "transformer-text"

/// The encoder sees 256 tokens per message: the first 160 and the last 96 of a longer one; the pooled
/// embeddings see up to 1,500 distinct words of the whole message.
let window = { Length = 256; Tail = 96; Bag = 1500 }

/// Embeddings (64, `<pad>` fixed at zero) -> [the window -> learned positions -> 2 encoder layers (4 heads,
/// feed-forward 128) -> max and mean over time; the distinct words -> max and mean of their embeddings]
/// -> 2 logits.
let model =
    let encoder =
        windowPart window
        => Layers.positionalEmbedding (window.Length, weightInit = Init.normal 0.0 0.1)
        => Layers.transformerEncoder (numLayers = 2, numHeads = 4, dimFeedforward = 128, dropout = 0.1)
        => TextClassify.maxAndMeanOverTime

    let bag = bagPart window => TextClassify.maxAndMeanOverTime

    Layers.embedding (vocabularySize, 64, paddingIdx = Vocabulary.PadId, weightInit = Init.normal 0.0 0.1)
    => Model.concat [ encoder; bag ]
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
        1
        window
        (Optim.adamW (5e-4, weightDecay = 0.01))
        12
