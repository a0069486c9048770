/// Text classifiers with auxiliary branch heads or side-by-side members: the training and prediction models
/// share their parameters, each branch head reads only its own branch, and the losses weigh the heads as said.
module Functional.Models.Tests.Zoo.TextClassifiersTests

open Expecto
open Functional
open Functional.Data
open Functional.Models.Zoo.TextClassifiers

/// Pooled features as given: 4 columns for the sequence branch, then 3 for the distinct words.
let private branchHeads =
    TextClassifier.withBranchHeads 4 3 0.25 (Model.lambda "Features" id)

let private features () =
    Tensor.create (
        array2D
            [
                [ 0.5f; -1.0f; 2.0f; 0.0f; 1.0f; -0.5f; 3.0f ]
                [ 1.0f; 1.0f; -2.0f; 0.5f; 0.0f; 2.0f; -1.0f ]
            ]
    )

/// Head `i`'s two logits out of the training model's outputs [N; 6].
let head (i: int) (y: Tensor) = Tensor.narrow (y, 1, 2 * i, 2)

/// Expects head `i` to give the same logits for both training-model outputs (`same = true`) or different ones.
let expectHead (i: int) (same: bool) (a: Tensor) (b: Tensor) (message: string) =
    Expect.equal (Tensor.allclose (head i a, head i b)) same message

/// The cross-entropy of logits (a, b) for label 1: log(e^a + e^b) - b.
let private ce (a: float) (b: float) = log (exp a + exp b) - b

[<Tests>]
let tests =
    testList
        "Zoo.TextClassifiers"
        [
            test "the prediction model has the training model's parameters and gives its first two outputs" {
                let p = Model.init (Rng.seed 3) [ 7 ] branchHeads.Training
                let x = features ()
                let outputs = Model.apply branchHeads.Training p x
                let logits = Model.apply branchHeads.Prediction p x
                Expect.sequenceEqual outputs.Shape [| 2; 6 |] "three heads of two logits"

                Expect.isTrue
                    (Params.sameStructure p (Model.init (Rng.seed 4) [ 7 ] branchHeads.Prediction))
                    "same tree"

                Expect.isTrue (Tensor.allclose (head 0 outputs, logits)) "the classifier's logits come first"

                Expect.isTrue
                    (Tensor.allclose ((Option.get branchHeads.Logits) outputs, logits))
                    "Logits takes them out"
            }

            test "each branch head reads only its branch's columns" {
                let p = Model.init (Rng.seed 3) [ 7 ] branchHeads.Training
                let x = features ()

                let mask (keepFirst: int) (keepLast: int) =
                    Tensor.create (
                        array2D
                            [
                                [ for j in 0..6 -> if j < keepFirst || j >= 7 - keepLast then 1.0f else 0.0f ]
                            ]
                    )

                let full = Model.apply branchHeads.Training p x
                let sequenceOnly = Model.apply branchHeads.Training p (x * mask 4 0)
                let wordsOnly = Model.apply branchHeads.Training p (x * mask 0 3)

                expectHead 1 true full sequenceOnly "the sequence head ignores the words' columns"

                expectHead 1 false full wordsOnly "the sequence head reads its columns"

                expectHead 2 true full wordsOnly "the words head ignores the sequence's columns"

                expectHead 2 false full sequenceOnly "the words head reads its columns"

                expectHead 0 false full sequenceOnly "the classifier reads both"
            }

            test "the training loss adds the branch heads' cross-entropies times their weight" {
                let outputs = Tensor.create (array2D [ [ 2.0f; -1.0f; 0.5f; 0.0f; -3.0f; 1.0f ] ])
                let expected = ce 2.0 -1.0 + 0.25 * (ce 0.5 0.0 + ce -3.0 1.0)
                let actual = (branchHeads.Loss outputs (Batch.labels [| 1 |])).ToDouble()

                Expect.floatClose
                    Accuracy.medium
                    actual
                    expected
                    "CE(classifier) + 0.25 (CE(sequence) + CE(words))"
            }

            test "members train on their mean loss and classify by the log of their mean probabilities" {
                let members = TextClassifier.members 2 (Layers.dense 2)
                let p = Model.init (Rng.seed 5) [ 7 ] members.Training
                let x = features ()
                let outputs = Model.apply members.Training p x
                Expect.sequenceEqual outputs.Shape [| 2; 4 |] "two members of two logits"
                let logits = Model.apply members.Prediction p x
                let probabilities i = Tensor.softmax (head i outputs, -1)
                let expected = Tensor.log (0.5 * (probabilities 0 + probabilities 1))
                Expect.isTrue (Tensor.allclose (logits, expected)) "log of the mean probabilities"
                Expect.isNone members.Logits "several members have no single set of per-epoch logits"
                let one = Tensor.create (array2D [ [ 2.0f; -1.0f; 0.5f; 0.0f ] ])
                let loss = (members.Loss one (Batch.labels [| 1 |])).ToDouble()

                Expect.floatClose
                    Accuracy.medium
                    loss
                    (0.5 * (ce 2.0 -1.0 + ce 0.5 0.0))
                    "the members' mean cross-entropy"
            }
        ]
