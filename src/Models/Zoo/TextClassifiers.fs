/// Text classifiers as a training model, a loss and a prediction model with the same parameters: members
/// trained side by side, or one model with auxiliary heads on its branches; pooling over token embeddings.
module Functional.Models.Zoo.TextClassifiers

open Functional

/// Max and sum over the distinct words' embeddings [N; Bag; E] -> [N; 2E]. `<pad>` rows are zero, so the sum
/// is over the message's words and, like the baseline's logit (a sum of per-word weights), moves with every
/// word's update. A mean over 1,500 padded slots scales each word's part down 1,500-fold: that branch then
/// learned so slowly that the sequence branch had fitted the training set first.
let maxAndSumOverBag =
    Model.lambda "MaxAndSumOverBag" (fun x -> Tensor.cat ([ Tensor.max (x, 1); Tensor.sum (x, 1) ], -1))

/// The maximum and the mean over time of a sequence [N; T; H] -> [N; 2H].
let maxAndMeanOverTime =
    Model.lambda "MaxAndMeanOverTime" (fun x -> Tensor.cat ([ Tensor.max (x, 1); Tensor.mean (x, 1) ], -1))

/// The `i`-th pair of class scores [N; 2] in outputs that concatenate several classifiers' [N; 2 * count].
let private classScores (i: int) (outputs: Tensor) = Tensor.narrow (outputs, 1, 2 * i, 2)

/// `k` copies of `model` side by side (one model for k = 1), each from its own initialization, their
/// outputs joined by `combine`; the parameters depend only on `model` and `k`, not on `combine`.
let private sideBySide (combine: Tensor list -> Tensor) (k: int) (model: Model) : Model =
    if k = 1 then
        model
    else
        Model.parallelWith "Ensemble" combine (List.replicate k model)

/// `k` copies of a classifier side by side, their logits concatenated [N; 2k]: trained with
/// `membersLoss`, every member learns on its own loss.
let membersSideBySide (k: int) (model: Model) : Model =
    sideBySide (fun outs -> Tensor.cat (outs, -1)) k model

/// The same members (the same parameters as `membersSideBySide`) as one classifier: the log of their mean
/// class probabilities [N; 2].
let ensembleOf (k: int) (model: Model) : Model =
    let meanProbabilities (outs: Tensor list) =
        let probabilities = outs |> List.map (fun o -> Tensor.softmax (o, -1))
        Tensor.log (Tensor.mean (Tensor.stack (probabilities, 0), 0))

    sideBySide meanProbabilities k model

/// The mean over `k` members of each member's cross-entropy, from their concatenated logits [N; 2k].
let membersLoss (k: int) (logits: Tensor) (y: Tensor) : Tensor =
    let losses =
        [ for i in 0 .. k - 1 -> Losses.crossEntropy (classScores i logits, y) ]

    (1.0 / float k) * List.reduce (+) losses

/// How a text classifier trains and classifies: two models with the same parameters.
type TextClassifier =
    {
        /// The model that trains; its outputs go to `Loss`.
        Training: Model
        /// The training loss, from the training model's outputs and the labels.
        Loss: Tensor -> Tensor -> Tensor
        /// The classifier (class scores [N; 2]) that is validated at the end, saved, tested and used by
        /// `evaluate`/`predict`.
        Prediction: Model
        /// The classifier's scores [N; 2] from the training model's outputs, when they are part of them: each
        /// epoch then reports their accuracy and F1 and early stopping watches their validation cross-entropy
        /// ("val_classifier_loss"); otherwise it watches the validation loss.
        Logits: (Tensor -> Tensor) option
    }

/// Ready-made text classifiers.
module TextClassifier =
    /// `k` copies of `model`, each on its own loss; the log of their mean probabilities classifies.
    let members (k: int) (model: Model) : TextClassifier =
        {
            Training = membersSideBySide k model
            Loss = membersLoss k
            Prediction = ensembleOf k model
            Logits = if k = 1 then Some id else None
        }

    /// A classifier on pooled features [N; s + w] (the sequence branch's s first, then the distinct words' w)
    /// with three heads (dropout 0.3 -> 2 logits each): the classifier's on all features, one on the sequence
    /// branch's part and one on the distinct words' part. Training loss (deep supervision, as in GoogLeNet):
    /// CE(classifier) + `branchWeight` (CE(sequence head) + CE(words head)), so each branch must classify on
    /// its own and neither waits for the other. The prediction model computes all three heads and keeps the
    /// classifier's, so it has the training model's parameters and loads its checkpoint.
    let withBranchHeads (sequenceWidth: int) (wordsWidth: int) (branchWeight: float) (features: Model) =
        let heads (combine: Tensor list -> Tensor) =
            let part (start: int) (width: int) =
                Model.lambda "Part" (fun x -> Tensor.narrow (x, 1, start, width))

            let head = Layers.dropout 0.3 => Layers.dense 2

            Model.parallelWith
                "Heads"
                combine
                [ head; part 0 sequenceWidth => head; part sequenceWidth wordsWidth => head ]

        {
            Training = features => heads (fun outs -> Tensor.cat (outs, -1))
            Loss =
                fun outputs y ->
                    let ce i =
                        Losses.crossEntropy (classScores i outputs, y)

                    ce 0 + branchWeight * (ce 1 + ce 2)
            Prediction = features => heads List.head
            Logits = Some(classScores 0)
        }

/// `metric` on the classifier's scores that `logits` takes out of a model's outputs (the name is unchanged).
let onLogits (logits: Tensor -> Tensor) (metric: Metric) : Metric =
    Metric.create (Metric.name metric) metric (fun (m: Metric) p t -> m.Update(logits p, t)) Metric.compute

/// The mean cross-entropy of class scores [N; C] against labels, as a metric named "classifier_loss".
let classifierLoss: Metric =
    Metric.create
        "classifier_loss"
        (0.0, 0)
        (fun (sum, n) scores labels ->
            let batch = (scores: Tensor).Shape[0]
            sum + float batch * (Losses.crossEntropy (scores, labels)).ToDouble(), n + batch)
        (fun (sum, n) -> sum / float n)
