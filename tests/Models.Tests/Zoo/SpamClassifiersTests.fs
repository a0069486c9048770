/// The two spam classifiers' branch heads read their own inputs: the sequence head only the window of tokens,
/// the distinct-words head only the distinct words.
module Functional.Models.Tests.Zoo.SpamClassifiersTests

open Expecto
open Functional
open Functional.Models.Zoo
open Functional.Models.Zoo.TextClassifiers
open Functional.Models.Zoo.SpamText
open Functional.Models.Tests.Zoo.TextClassifiersTests

/// Two short messages (word ids below 50) as model inputs, and the same with every distinct-words slot `<pad>`.
let private inputs (window: Window) =
    let x =
        fst (sequences window [| [| 5; 6; 7; 6; 40 |], 0; [| 8; 9; 10; 11; 12; 13 |], 1 |])

    let withoutWords =
        Tensor.cat (
            [
                Tensor.narrow (x, 1, 0, window.Length)
                Tensor.zeros ([ 2; window.Bag ], Int64)
            ],
            1
        )

    x, withoutWords

let private branchesReadTheirInputs (name: string) (window: Window) (classifier: TextClassifier) =
    test $"{name}: the sequence head reads only the window, the distinct-words head the distinct words" {
        let p = Model.init (Rng.seed 3) [ inputLength window ] classifier.Training
        let x, withoutWords = inputs window
        let full = Model.apply classifier.Training p x
        let windowOnly = Model.apply classifier.Training p withoutWords

        expectHead 1 true full windowOnly "the sequence head ignores the distinct words"

        expectHead 2 false full windowOnly "the words head reads the distinct words"

        expectHead 0 false full windowOnly "the classifier reads the distinct words"
    }

[<Tests>]
let tests =
    testList
        "Zoo.SpamClassifiers"
        [
            branchesReadTheirInputs TransformerText.name TransformerText.window TransformerText.classifier
            branchesReadTheirInputs TextClassify.name TextClassify.window TextClassify.classifier
        ]
