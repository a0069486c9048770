module Functional.Tests.Data.TextTests

open System
open System.IO
open Expecto
open Functional
open Functional.Data

[<Tests>]
let tests =
    testList
        "Data.Text"
        [
            test "word tokenizer splits words and punctuation, keeps inner apostrophes" {
                Expect.equal
                    (Tokenizer.words "Call me Ishmael. Don't stop—ever!")
                    [| "Call"; "me"; "Ishmael"; "."; "Don't"; "stop"; "—"; "ever"; "!" |]
                    "tokens"

                Expect.equal (Tokenizer.whitespace "  a\tb\nc  ") [| "a"; "b"; "c" |] "whitespace"
                Expect.equal (Tokenizer.joinWords [ "Hello"; ","; "world"; "!" ]) "Hello, world!" "join"
            }

            test "character tokenizer round-trips any text, surrogate pairs included" {
                let text = "Whale 🐋 ho!\n"
                let chars = Tokenizer.characters text
                Expect.equal chars.Length 12 "one token per scalar value"
                Expect.equal (String.concat "" chars) text "round trip"
            }

            test "vocabulary: specials first, min frequency, frequency order, unknowns" {
                let docs = [ [| "b"; "a"; "b"; "c" |]; [| "a"; "b"; "d" |] ]
                let v = Vocabulary.build 2 docs
                Expect.equal v.Tokens [| "<pad>"; "<unk>"; "b"; "a" |] "tokens"
                Expect.equal (Vocabulary.encode v [ "a"; "c"; "b" ]) [| 3; 1; 2 |] "encode"
                Expect.equal (Vocabulary.decode v [ 3; 1; 0; 0 ]) [| "a"; "<unk>" |] "decode drops padding"
                Expect.equal (Vocabulary.truncate 3 v).Tokens [| "<pad>"; "<unk>"; "b" |] "truncate"
                Expect.equal (Vocabulary.ofJson (Vocabulary.toJson v)).Tokens v.Tokens "JSON round trip"

                Expect.throwsT<InvalidDataException>
                    (fun () -> Vocabulary.ofJson "[\"x\"]" |> ignore)
                    "bad JSON"

                Expect.throwsT<ArgumentException> (fun () -> v.TokenOf 9 |> ignore) "bad id"
            }

            test "encode then decode round-trips text whose tokens are all known" {
                let text = "it was the best of times, it was the worst of times."
                let tokens = Tokenizer.words text
                let v = Vocabulary.build 1 [ tokens ]
                Expect.equal (Vocabulary.decode v (Vocabulary.encode v tokens)) tokens "words"

                Expect.equal
                    (Tokenizer.joinWords (Vocabulary.decode v (Vocabulary.encode v tokens)))
                    text
                    "text"

                let cv = Vocabulary.ofTokens (Tokenizer.characters text)

                Expect.equal
                    (String.concat
                        ""
                        (Vocabulary.decode cv (Vocabulary.encode cv (Tokenizer.characters text))))
                    text
                    "chars"
            }

            test "padding, truncation and masks" {
                Expect.equal
                    (Sequences.padOrTruncate KeepFirst 5 0 [| 7; 8 |])
                    ([| 7; 8; 0; 0; 0 |], [| true; true; false; false; false |])
                    "pad"

                Expect.equal
                    (Sequences.padOrTruncate KeepFirst 2 0 [| 7; 8; 9 |])
                    ([| 7; 8 |], [| true; true |])
                    "keep first"

                Expect.equal (fst (Sequences.padOrTruncate KeepLast 2 0 [| 7; 8; 9 |])) [| 8; 9 |] "keep last"
                let ids, mask = Sequences.batchToLongest 0 [| [| 5 |]; [| 6; 7; 8 |] |]
                Expect.equal ids.Shape [| 2; 3 |] "shape"
                Expect.equal ids.Dtype Int64 "dtype"
                Expect.equal (ids.ToArray<int>()) [| 5; 0; 0; 6; 7; 8 |] "ids"
                Expect.equal (mask.ToArray<float32>()) [| 1.0f; 0.0f; 0.0f; 1.0f; 1.0f; 1.0f |] "mask"
                let i2, m2, y = Sequences.classification 2 0 [| [| 1; 2; 3 |], 1; [| 4 |], 0 |]
                Expect.equal i2.Shape [| 2; 2 |] "capped length"
                Expect.equal (m2.ToArray<float32>()) [| 1.0f; 1.0f; 1.0f; 0.0f |] "classification mask"
                Expect.equal (y.ToArray<int>()) [| 1; 0 |] "labels"
            }

            test "next-token windows" {
                let w = Sequences.windows 3 2 [| 0..8 |]
                Expect.equal w.Length 3 "count"
                Expect.equal w[1] ([| 2; 3; 4 |], [| 3; 4; 5 |]) "input and shifted target"
                Expect.equal (snd w[2]) [| 5; 6; 7 |] "last window"
                let x, y = Sequences.windowBatch (Dataset.toArray w)
                Expect.equal (x.Shape, y.Shape) ([| 3; 3 |], [| 3; 3 |]) "batch shapes"
                Expect.equal (Sequences.windows 9 1 [| 0..8 |]).Length 0 "too short"
            }
        ]
