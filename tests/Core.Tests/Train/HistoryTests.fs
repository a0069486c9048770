module Functional.Tests.Train.HistoryTests

open System
open Expecto
open Functional
open Functional.Tests

/// A three-epoch history with loss and accuracy, validation from epoch 2.
let sample: History =
    [
        { History.epoch 1 [ "loss", 0.9; "accuracy", 0.61 ] [] with
            LearningRate = 0.1
            Duration = TimeSpan.FromSeconds 2.5
            StepLosses = [ 1.2; 0.9 ]
        }
        { History.epoch 2 [ "loss", 0.5; "accuracy", 0.8 ] [ "loss", 0.6; "accuracy", 0.75 ] with
            LearningRate = 0.05
        }
        { History.epoch 3 [ "loss", 0.25; "accuracy", 0.9 ] [ "loss", 0.45; "accuracy", 0.875 ] with
            LearningRate = 0.025
        }
    ]
    |> List.fold (fun h e -> History.add e h) History.empty

[<Tests>]
let tests =
    testList
        "History"
        [
            test "series by metric, train and validation, learning rates" {
                Expect.equal (History.names sample) [ "loss"; "accuracy" ] "names"
                Expect.equal (History.train "loss" sample) [ 1, 0.9; 2, 0.5; 3, 0.25 ] "train loss"

                Expect.equal
                    (History.validation "accuracy" sample)
                    [ 2, 0.75; 3, 0.875 ]
                    "validation accuracy"

                Expect.equal (History.learningRates sample) [ 1, 0.1; 2, 0.05; 3, 0.025 ] "rates"
                Expect.equal sample.Epochs.Head.StepLosses [ 1.2; 0.9 ] "steps"
            }

            test "CSV has one row per epoch and empty cells for missing values" {
                let lines = (History.toCsv sample).TrimEnd('\n').Split('\n')

                Expect.equal
                    lines[0]
                    "epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds"
                    "header"

                Expect.equal lines[1] "1,0.9,0.61,,,0.1,2.5" "epoch 1"
                Expect.equal lines[3] "3,0.25,0.9,0.45,0.875,0.025,0" "epoch 3"
                let odd = History.add (History.epoch 1 [ "f1, \"macro\"", 0.5 ] []) History.empty

                Expect.stringStarts
                    (History.toCsv odd)
                    "epoch,\"train_f1, \"\"macro\"\"\",\"val_f1"
                    "quoted names"
            }

            test "ofCsv reads back what toCsv wrote, including quoted names and empty cells" {
                let odd =
                    History.add
                        { History.epoch 1 [ "f1, \"macro\"", 0.5 ] [] with
                            LearningRate = nan
                        }
                        History.empty

                let back = History.ofCsv (History.toCsv sample)
                let stripped = sample.Epochs |> List.map (fun e -> { e with StepLosses = [] })
                Expect.equal back.Epochs stripped "every epoch but the per-step losses"
                let oddBack = History.ofCsv (History.toCsv odd)
                Expect.equal (History.train "f1, \"macro\"" oddBack) [ 1, 0.5 ] "quoted name"
                Expect.isTrue (Double.IsNaN oddBack.Epochs.Head.LearningRate) "NaN rate"
                Expect.isEmpty oddBack.Epochs.Head.Validation "no validation values"
                Expect.isEmpty (History.ofCsv "epoch,train_loss,learning_rate,seconds\n").Epochs "header only"
            }

            test "ofCsv names the line that is not a history" {
                let bad (text: string) (part: string) =
                    TestUtil.throwsOf
                        (fun e -> e :? IO.InvalidDataException)
                        "InvalidDataException"
                        [ "History.ofCsv"; part ]
                        (fun () -> History.ofCsv text)

                bad "" "empty"
                bad "a,b,c\n1,2,3\n" "'a'"
                bad "epoch,train_loss,learning_rate,seconds\n1,0.5,0.1\n" "line 2 has 3 fields"
                bad "epoch,train_loss,learning_rate,seconds\n1,0.5,0.1,2\n2,x,0.1,2\n" "line 3: 'x'"
            }
        ]
