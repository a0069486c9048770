/// Spam filtering with a small Transformer encoder, compared with a bag-of-words logistic regression.
module Functional.Models.Zoo.TransformerText

open Functional
open Functional.Data
open Functional.Models.Zoo.TextClassifiers
open Functional.Models.Zoo.SpamText

/// Registry name.
let name = "transformer-text"

/// The encoder sees 256 tokens per message: the first 160 and the last 96 of a longer one; the pooled
/// embeddings see up to 1,500 distinct words of the whole message.
let window = { Length = 256; Tail = 96; Bag = 1500 }

/// The width of the token embeddings.
let private width = 64

/// Embeddings (64, `<pad>` fixed at zero) -> [the window -> learned positions -> 2 encoder layers (4 heads,
/// feed-forward 128) -> max and mean over time; the distinct words -> max and sum of their embeddings]
/// -> pooled features [N; 4 * 64]: the encoder's first, then the distinct words'.
let features =
    let encoder =
        windowPart window
        => Layers.positionalEmbedding (window.Length, weightInit = Init.normal 0.0 0.1)
        => Layers.transformerEncoder (numLayers = 2, numHeads = 4, dimFeedforward = 128, dropout = 0.1)
        => maxAndMeanOverTime

    let bag = bagPart window => maxAndSumOverBag

    Layers.embedding (vocabularySize, width, paddingIdx = Vocabulary.PadId, weightInit = Init.normal 0.0 0.1)
    => Model.concat [ encoder; bag ]

/// The classifier on the pooled features with one auxiliary head per branch, the branch heads' losses
/// weighted 0.5 (`TextClassifier.withBranchHeads`): with the classifier's loss alone, the encoder fitted the
/// training set first and early stopping kept a model whose distinct-words branch had hardly learned.
let classifier: TextClassifier =
    TextClassifier.withBranchHeads (2 * width) (2 * width) 0.5 features

/// The classifier: the pooled features -> 2 logits (ham, spam), with the branch heads' parameters (computed
/// and ignored), so that it loads the checkpoint that training writes.
let model = classifier.Prediction

/// The held-out set and F1 for `evaluate`/`predict`.
let evaluation (quick: bool) : ZooEvaluation = SpamText.evaluation model window quick

/// Trains (AdamW, at most 12 epochs) with a moving average of the weights (decay 0.99 per step) that is
/// validated (early stopping on the classifier's validation loss), saved and tested; trains the baseline;
/// prints the test F1 of the spam class last.
let run (options: ZooOptions) : ZooResult =
    trainClassifier
        options
        name
        "Transformer encoder"
        classifier
        window
        (Optim.adamW (5e-4, weightDecay = 0.01))
        (Some 0.99)
        12
