namespace Functional

open System
open Plotly.NET
open Plotly.NET.LayoutObjects

/// Plotly.NET charts of training: the history, a confusion matrix and sample predictions. Each
/// function returns a GenericChart (shown inline in notebooks); `Plot.save` writes a self-contained
/// HTML file that works offline.
module Plot =
    let private grid (rows: int) (cols: int) (titles: string list) (charts: GenericChart list) =
        charts
        |> Chart.Grid(rows, cols, SubPlotTitles = titles, XGap = 0.15, YGap = 0.25)

    let private blues =
        StyleParam.Colorscale.Custom
            [
                0.0, Color.fromHex "#f7fbff"
                0.5, Color.fromHex "#6baed6"
                1.0, Color.fromHex "#08306b"
            ]

    /// One subplot per recorded metric ("loss" first) with train and validation curves by epoch, and
    /// a last subplot with the learning rate.
    let history (h: History) : GenericChart =
        if h.Epochs.IsEmpty then
            Errors.fail "Plot.history" "the history has no epochs" "Train for at least one epoch first."

        let metricChart (name: string) =
            let line (points: (int * float) list) label =
                Chart.Line(points, Name = label, ShowMarkers = true)

            let train = History.train name h
            let valid = History.validation name h

            [
                if not train.IsEmpty then
                    line train $"train {name}"
                if not valid.IsEmpty then
                    line valid $"validation {name}"
            ]
            |> Chart.combine
            |> Chart.withXAxisStyle "epoch"

        let names = History.names h

        let rate =
            Chart.Line(History.learningRates h, Name = "learning rate", ShowMarkers = true)
            |> Chart.withXAxisStyle "epoch"

        let charts = (names |> List.map metricChart) @ [ rate ]
        let titles = names @ [ "learning rate" ]
        let cols = if charts.Length = 1 then 1 else 2
        let rows = (charts.Length + cols - 1) / cols

        grid rows cols titles charts
        |> Chart.withTitle "Training history"
        |> Chart.withSize (600 * cols, 350 * rows)

    /// A heatmap of a confusion matrix (rows: true class, columns: predicted class) with the count in
    /// each cell; `classNames` label the classes (their indices when empty).
    let confusionMatrix (classNames: string list) (m: ConfusionMatrix) : GenericChart =
        let k = m.Classes

        if not classNames.IsEmpty && classNames.Length <> k then
            Errors.fail
                "Plot.confusionMatrix"
                $"{classNames.Length} class names for a {k}-class matrix"
                "Pass one name per class or none."

        let names =
            if classNames.IsEmpty then
                [ for c in 0 .. k - 1 -> string c ]
            else
                classNames

        let z = [ for a in 0 .. k - 1 -> [ for p in 0 .. k - 1 -> m[a, p] ] ]

        let annotations =
            [
                for a in 0 .. k - 1 do
                    for p in 0 .. k - 1 ->
                        Annotation.init (X = names[p], Y = names[a], Text = string m[a, p], ShowArrow = false)
            ]

        Chart.Heatmap(z, colNames = names, rowNames = names, ColorScale = blues, ReverseYAxis = true)
        |> Chart.withAnnotations annotations
        |> Chart.withXAxisStyle "predicted class"
        |> Chart.withYAxisStyle "true class"
        |> Chart.withTitle $"Confusion matrix (accuracy {ConfusionMatrix.accuracy m:F4})"
        |> Chart.withSize (max 450 (60 * k + 150), max 400 (60 * k + 120))

    /// A grid of grayscale images [N; H; W] or [N; 1; H; W] titled "pred P / true T" (wrong predictions
    /// marked with ✗), `columns` per row; `classNames` label the classes (their indices when empty).
    let imageGrid
        (columns: int)
        (classNames: string list)
        (images: Tensor)
        (predicted: int[])
        (actual: int[])
        =
        let shape = images.Shape

        let n, h, w =
            match shape with
            | [| n; h; w |]
            | [| n; 1; h; w |] -> n, h, w
            | _ ->
                Errors.fail
                    "Plot.imageGrid"
                    $"images of shape {Errors.shapeText (Array.map int64 shape)} are not [N; H; W] or [N; 1; H; W]"
                    "Pass grayscale images."

        if predicted.Length <> n || actual.Length <> n then
            Errors.fail
                "Plot.imageGrid"
                $"{n} images but {predicted.Length} predicted and {actual.Length} true labels"
                "Pass one label of each kind per image."

        if n = 0 then
            Errors.fail "Plot.imageGrid" "there are no images" "Pass at least one image."

        if columns < 1 then
            Errors.fail "Plot.imageGrid" $"columns = {columns}" "Use at least one column."

        let label (c: int) =
            if classNames.IsEmpty || c < 0 || c >= classNames.Length then
                string c
            else
                classNames[c]

        let pixels = images.ToArray<float>()

        let charts =
            [
                for i in 0 .. n - 1 ->
                    let z =
                        [
                            for r in 0 .. h - 1 -> [ for c in 0 .. w - 1 -> pixels[i * h * w + r * w + c] ]
                        ]

                    Chart.Heatmap(
                        z,
                        ColorScale = StyleParam.Colorscale.Greys,
                        ReverseScale = true,
                        ShowScale = false,
                        ReverseYAxis = true
                    )
                    |> Chart.withXAxis (LinearAxis.init (ShowTickLabels = false, ShowGrid = false))
                    |> Chart.withYAxis (
                        LinearAxis.init (
                            ShowTickLabels = false,
                            ShowGrid = false,
                            AutoRange = StyleParam.AutoRange.Reversed
                        )
                    )
            ]

        let titles =
            [
                for i in 0 .. n - 1 ->
                    let mark = if predicted[i] = actual[i] then "" else " ✗"
                    $"pred {label predicted[i]} / true {label actual[i]}{mark}"
            ]

        let cols = min columns n
        let rows = (n + cols - 1) / cols

        grid rows cols titles charts
        |> Chart.withTitle "Sample predictions"
        |> Chart.withSize (170 * cols + 80, 180 * rows + 100)

    /// The chart as a complete HTML document with plotly.js embedded (no network needed to view it).
    let toHtml (chart: GenericChart) : string =
        chart
        |> Chart.withDisplayOptions (DisplayOptions.init (PlotlyJSReference = PlotlyJSReference.Full))
        |> GenericChart.toEmbeddedHTML

    /// Writes the chart to `path` as a self-contained HTML file (atomically).
    let save (path: string) (chart: GenericChart) : unit =
        AtomicFile.writeText path (toHtml chart)
