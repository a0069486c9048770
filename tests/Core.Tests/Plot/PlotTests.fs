module Functional.Tests.Plot.PlotTests

open System.IO
open Expecto
open Plotly.NET
open Functional
open Functional.Tests

/// Saves the chart, checks that the file is a self-contained HTML document (plotly.js embedded, no
/// script loaded by URL) and returns the part after plotly.js: the chart's data and layout.
let private saved (name: string) (chart: GenericChart) =
    let path =
        Path.Combine(Functional.Tests.Checkpoint.CheckpointTests.tempFolder (), name)

    Plot.save path chart
    let html = File.ReadAllText path
    Expect.isTrue (html.StartsWith "<!DOCTYPE html>") "an HTML document"
    Expect.isGreaterThan html.Length 1_000_000 "plotly.js is embedded (~3.5 MB)"
    Expect.isTrue (html.Contains "plotly.js v") "the plotly.js source"
    Expect.isFalse (html.Contains "<script src=") "no script loaded by URL"
    let start = html.IndexOf "var data ="
    Expect.isGreaterThan start 0 "chart data"
    html.Substring start

[<Tests>]
let tests =
    testList
        "Plot"
        [
            test "history: titles, epochs, train and validation values, learning rates" {
                let html = saved "history.html" (Plot.history Train.HistoryTests.sample)

                for fragment in
                    [
                        "Training history"
                        "train loss"
                        "validation loss"
                        "train accuracy"
                        "validation accuracy"
                        "learning rate"
                        "0.875"
                        "0.45"
                        "0.025"
                        "0.61"
                    ] do
                    Expect.stringContains html fragment fragment

                TestUtil.throwsArgument [ "no epochs" ] (fun () -> Plot.history History.empty)
            }

            test "confusion matrix heatmap: class names, counts and accuracy in the title" {
                let m = ConfusionMatrix.ofLabels 3 [| 0; 1; 1; 2; 2; 2 |] [| 0; 1; 2; 2; 2; 0 |]
                let html = saved "cm.html" (Plot.confusionMatrix [ "cat"; "dog"; "owl" ] m)

                for fragment in
                    [
                        "Confusion matrix (accuracy 0.6667)"
                        "\"cat\""
                        "\"owl\""
                        "predicted class"
                        "true class"
                        "heatmap"
                    ] do
                    Expect.stringContains html fragment fragment

                Expect.stringContains html "[[1,0,1],[0,1,0],[0,1,2]]" "counts row by true class"
                TestUtil.throwsArgument [ "2 class names" ] (fun () -> Plot.confusionMatrix [ "a"; "b" ] m)
            }

            test "image grid: one titled heatmap per image with predicted and true labels" {
                let images = (Tensor.arange 24).Reshape [ 2; 1; 3; 4 ]
                let chart = Plot.imageGrid 2 [ "zero"; "one" ] images [| 1; 0 |] [| 1; 1 |]
                let html = saved "grid.html" chart

                for fragment in
                    [
                        "Sample predictions"
                        "pred one / true one"
                        "pred zero / true one ✗"
                        "23.0"
                        "[0.0,1.0,2.0,3.0]"
                    ] do
                    Expect.stringContains html fragment fragment

                TestUtil.throwsArgument [ "[2; 3]" ] (fun () ->
                    Plot.imageGrid 2 [] (Tensor.zeros [ 2; 3 ]) [| 0; 0 |] [| 0; 0 |])

                TestUtil.throwsArgument [ "2 images"; "1 predicted" ] (fun () ->
                    Plot.imageGrid 2 [] images [| 0 |] [| 0; 0 |])
            }
        ]
