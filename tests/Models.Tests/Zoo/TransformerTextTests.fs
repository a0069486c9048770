/// The Transformer spam classifier's training model (the classifier's head plus one head per branch) and its
/// prediction model share their parameters; each branch head reads only its own branch.
module Functional.Models.Tests.Zoo.TransformerTextTests

open Expecto
open Functional
open Functional.Data
open Functional.Models.Zoo
open Functional.Models.Zoo.SpamText

let private window = TransformerText.window
let private classifier = TransformerText.classifier

/// Two short messages (word ids below 50) encoded as model inputs: the window, then the distinct words.
let private inputs () =
    fst (sequences window [| [| 5; 6; 7; 6; 40 |], 0; [| 8; 9; 10; 11; 12; 13 |], 1 |])

/// The same inputs with every distinct-words slot set to `<pad>` (the window is kept).
let private withoutBag (x: Tensor) =
    Tensor.cat (
        [
            Tensor.narrow (x, 1, 0, window.Length)
            Tensor.zeros ([ 2; window.Bag ], Int64)
        ],
        1
    )

let private parameters () =
    Model.init (Rng.seed 3) [ inputLength window ] classifier.Training

[<Tests>]
let tests =
    testList
        "Zoo.TransformerText"
        [
            test "the prediction model loads the training model's parameters and gives its first two outputs" {
                let p = parameters ()
                let x = inputs ()
                let outputs = Model.apply classifier.Training p x
                let logits = Model.apply classifier.Prediction p x
                Expect.sequenceEqual outputs.Shape [| 2; 6 |] "three heads of two logits"
                Expect.sequenceEqual logits.Shape [| 2; 2 |] "the classifier's two logits"

                Expect.isTrue
                    (Tensor.allclose (Tensor.narrow (outputs, 1, 0, 2), logits))
                    "the classifier's logits are the training model's first two outputs"

                let fromTraining = (Option.get classifier.Logits) outputs

                Expect.isTrue
                    (Tensor.allclose (fromTraining, logits))
                    "Logits takes out the classifier's scores"
            }

            test "the encoder head reads only the window and the distinct-words head only the distinct words" {
                let p = parameters ()
                let x = inputs ()
                let full = Model.apply classifier.Training p x
                let windowOnly = Model.apply classifier.Training p (withoutBag x)
                let head (i: int) (y: Tensor) = Tensor.narrow (y, 1, 2 * i, 2)

                Expect.isTrue
                    (Tensor.allclose (head 1 full, head 1 windowOnly))
                    "the encoder head does not change when the distinct words are removed"

                Expect.isFalse
                    (Tensor.allclose (head 2 full, head 2 windowOnly))
                    "the distinct-words head changes when the distinct words are removed"

                Expect.isFalse
                    (Tensor.allclose (head 0 full, head 0 windowOnly))
                    "the classifier's head reads the distinct words"
            }

            test "the training loss adds half of each branch head's cross-entropy to the classifier's" {
                let outputs = Tensor.create (array2D [ [ 2.0f; -1.0f; 0.5f; 0.0f; -3.0f; 1.0f ] ])

                let y = Batch.labels [| 1 |]
                // log-softmax of the spam logit in each head
                let ce (a: float) (b: float) = log (exp a + exp b) - b
                let expected = ce 2.0 -1.0 + 0.5 * (ce 0.5 0.0 + ce -3.0 1.0)
                let actual = (classifier.Loss outputs y).ToDouble()

                Expect.floatClose
                    Accuracy.medium
                    actual
                    expected
                    "CE(classifier) + 0.5 (CE(encoder) + CE(words))"
            }
        ]
