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

/// Max and sum over the distinct words' embeddings [N; Bag; E] -> [N; 2E]. `<pad>` rows are zero, so the sum
/// is over the message's words and, like the baseline's logit (a sum of per-word weights), moves with every
/// word's update. A mean over the 1,500 padded slots scales each word's part down 1,500-fold: that branch then
/// learned so slowly that the encoder had fitted the training set first.
let maxAndSumOverBag =
    Model.lambda "MaxAndSumOverBag" (fun x -> Tensor.cat ([ Tensor.max (x, 1); Tensor.sum (x, 1) ], -1))

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
        => TextClassify.maxAndMeanOverTime

    let bag = bagPart window => maxAndSumOverBag

    Layers.embedding (vocabularySize, width, paddingIdx = Vocabulary.PadId, weightInit = Init.normal 0.0 0.1)
    => Model.concat [ encoder; bag ]

/// Three heads on the pooled features (dropout 0.3 -> 2 logits each): the classifier's on all of them, one on
/// the encoder's part alone and one on the distinct words' part alone; their outputs joined by `combine`.
let private heads (combine: Tensor list -> Tensor) : Model =
    let part (start: int) =
        Model.lambda "Part" (fun x -> Tensor.narrow (x, 1, start, 2 * width))

    let head = Layers.dropout 0.3 => Layers.dense 2
    Model.parallelWith "Heads" combine [ head; part 0 => head; part (2 * width) => head ]

/// The classifier: the pooled features -> 2 logits (ham, spam). It carries the two branch heads' parameters
/// (which it computes and ignores), so that it loads the checkpoint that training writes.
let model = features => heads List.head

/// How much the branch heads' cross-entropies weigh in the training loss.
let branchWeight = 0.5

/// Trains the classifier with auxiliary heads (deep supervision, as in GoogLeNet): loss = CE(classifier) +
/// 0.5 (CE(encoder head) + CE(distinct-words head)). Each branch must classify on its own, so neither waits
/// for the other: with the classifier's loss alone, the encoder fitted the training set first and early
/// stopping kept a model whose distinct-words branch had hardly learned.
let classifier: TextClassifier =
    let logitsOf (i: int) (outputs: Tensor) = Tensor.narrow (outputs, 1, 2 * i, 2)

    {
        Training = features => heads (fun outs -> Tensor.cat (outs, -1))
        Loss =
            fun outputs y ->
                let ce i =
                    Losses.crossEntropy (logitsOf i outputs, y)

                ce 0 + branchWeight * (ce 1 + ce 2)
        Prediction = model
        Logits = Some(logitsOf 0)
    }

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
