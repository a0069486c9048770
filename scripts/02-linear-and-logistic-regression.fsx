// %% [markdown]
// # 02 · Linear and logistic regression
//
// Two classic models on real tabular data shipped inside Functional.Core: linear regression of diabetes
// progression (Efron et al., 442 patients) and logistic regression of breast-cancer diagnoses (Wisconsin,
// 569 samples). Each model is a single `Layers.dense` trained with `Train.fit`; the plots show the fit and
// the decision boundary. With `FUNCTIONAL_QUICK=1` (as in the test suite) every training runs a few steps only.

// %%
#I "../src/Core.FSharp/bin/Release/net10.0"
#r "Functional.Core.dll"
#r "Plotly.NET.dll"

open Functional
open Functional.Data
open Plotly.NET

/// FUNCTIONAL_QUICK=1: train for a few steps only.
let quick = System.Environment.GetEnvironmentVariable "FUNCTIONAL_QUICK" = "1"

/// The HTML of a chart in Polyglot Notebooks and Jupyter (as Plotly.NET.Interactive writes it).
let chartHtml (chart: obj) (writer: System.IO.TextWriter) =
    let plotlyJs = $"https://cdn.plot.ly/plotly-{Globals.PLOTLYJS_VERSION}.min"

    chart :?> GenericChart
    |> Chart.withDisplayOptionsStyle (PlotlyJSReference = Require plotlyJs)
    |> GenericChart.toChartHTML
    |> writer.Write

// Under .NET Interactive (Polyglot Notebooks, Jupyter) charts render as charts: register chartHtml as their HTML
// formatter. dotnet fsi and tools/NotebookRunner have no .NET Interactive formatter: there this does nothing.
for a in System.AppDomain.CurrentDomain.GetAssemblies() do
    match a.GetType "Microsoft.DotNet.Interactive.Formatting.Formatter" with
    | null -> ()
    | formatter ->
        let format = System.Action<obj, System.IO.TextWriter> chartHtml

        let register =
            formatter.GetMethod("Register", [| typeof<System.Type>; format.GetType(); typeof<string> |])

        register.Invoke(null, [| typeof<GenericChart>; format; "text/html" |]) |> ignore

// %%
/// Fewer steps per epoch in quick mode.
let fitOptions epochs batchSize =
    { FitOptions.defaults with
        Epochs = (if quick then 2 else epochs)
        BatchSize = batchSize
        MaxStepsPerEpoch = (if quick then Some 3 else None)
        Progress = Some Quiet
    }

// %% [script]
/// Saves a chart as a self-contained HTML file under artifacts/scripts (the notebook shows it inline).
let show (name: string) (chart: GenericChart) =
    let path =
        System.IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "artifacts", "scripts", name + ".html")

    Plot.save path chart
    printfn "chart: %s" (System.IO.Path.GetFullPath path)

// %% [markdown]
// ## Diabetes: linear regression
// Ten baseline variables (age, sex, body-mass index, blood pressure, six serum measurements) and disease
// progression one year later. We split 80/20, standardize the features with statistics of the training part
// only, and keep the targets as they are: [n; 1] tensors, like the model's output.

// %%
let diabetes = Dataset.trainTestSplit (Rng.seed 0) 0.2 (Diabetes.load ())
let scaler = Standardization.fit (Dataset.toArray diabetes.Train |> Array.map fst)

let regressionTensors (d: Dataset<float32[] * float32>) =
    let x, y = Batch.regression [| 10 |] (Dataset.toArray d)
    Standardization.applyTensor scaler x, y.Reshape [ -1; 1 ]

let xTrain, yTrain = regressionTensors diabetes.Train
let xTest, yTest = regressionTensors diabetes.Test

printfn
    "train %A -> %A, test %A; mean progression %.1f"
    xTrain.Shape
    yTrain.Shape
    xTest.Shape
    ((Tensor.mean yTrain).ToDouble())

// %% [markdown]
// A linear model is `Layers.dense 1`: ŷ = x·wᵀ + b. The loss is the mean squared error, minimized by
// full-batch gradient descent with momentum (one step per epoch: the batch is the whole training set). `Metrics.r2` is the coefficient of determination (1 = perfect, 0 = predicting the mean).

// %%
let linear =
    {
        Model = Layers.dense 1
        Loss = fun predictions targets -> Losses.mse (predictions, targets)
        Optimizer = Optim.sgd (0.1, momentum = 0.9)
        Metrics = [ Metrics.r2; Metrics.mae ]
    }

let linearFit =
    Train.fit
        linear
        { fitOptions 300 xTrain.Shape[0] with
            Validation = Some(xTest, yTest)
            Progress = Some Silent
        }
        (TrainStep.init linear (Rng.seed 1) [ 10 ])
        (xTrain, yTrain)

for name, value in Train.evaluate linear linearFit.State 256 (xTest, yTest) do
    printfn "test %s: %.3f" name value

// %% [markdown]
// Least squares also has a closed form, the solution of the normal equations (XᵀX) θ = Xᵀy with a column of
// ones for the bias. Gradient descent should land close to it.

// %%
let withOnes (x: Tensor) =
    Tensor.cat ([ x; Tensor.ones [ x.Shape[0]; 1 ] ], 1)

let theta =
    Tensor.solve (
        Tensor.matmul ((withOnes xTrain).T, withOnes xTrain),
        Tensor.matmul ((withOnes xTrain).T, yTrain)
    )

let closedForm = Tensor.matmul (withOnes xTest, theta)

let r2 (prediction: Tensor) =
    Metric.compute (Metric.update prediction yTest Metrics.r2)

printfn
    "test R²: gradient descent %.3f, closed form %.3f"
    (r2 (Train.predict linear linearFit.State 256 xTest))
    (r2 closedForm)

let weights = (Params.get "weight" linearFit.State.Params).ToArray<float32>()
let solved = theta.ToArray<float32>()

Chart.combine
    [
        Chart.Column(values = weights, Keys = Diabetes.featureNames, Name = "gradient descent")
        Chart.Column(values = solved[..9], Keys = Diabetes.featureNames, Name = "closed form")
    ]
|> Chart.withTitle "Coefficients (per standard deviation of each feature)"
|> show "02-diabetes-coefficients"

// %% [markdown]
// How good is the fit? Predicted against actual progression on the test patients: a perfect model puts every
// point on the diagonal.

// %%
let predicted = (Train.predict linear linearFit.State 256 xTest).ToArray<float32>()
let actual = yTest.ToArray<float32>()

Chart.combine
    [
        Chart.Point(actual, predicted, Name = "test patients")
        Chart.Line([ 25.0; 346.0 ], [ 25.0; 346.0 ], Name = "perfect fit")
    ]
|> Chart.withXAxisStyle "actual progression"
|> Chart.withYAxisStyle "predicted progression"
|> Chart.withTitle "Linear regression on the diabetes data (test set)"
|> show "02-diabetes-fit"

// %% [markdown]
// ## Breast cancer: logistic regression
// Thirty measurements of cell nuclei; class 0 = malignant, 1 = benign. First only two features, so that we
// can draw the decision boundary: the model is again `Layers.dense 1`, now producing a logit, with the binary
// cross-entropy on logits as the loss.

// %%
let cancer = Dataset.stratifiedSplit (Rng.seed 2) 0.2 snd (BreastCancer.load ())
let names = BreastCancer.featureNames

let pick =
    [|
        Array.findIndex ((=) "worst radius") names
        Array.findIndex ((=) "worst concave points") names
    |]

let classificationTensors (columns: int[]) (fitOn: Dataset<float32[] * int>) (d: Dataset<float32[] * int>) =
    let select (features: float32[]) =
        columns |> Array.map (fun j -> features[j])

    let scaling =
        Standardization.fit (Dataset.toArray fitOn |> Array.map (fst >> select))

    let x, y =
        Batch.classification [| columns.Length |] (Dataset.toArray d |> Array.map (fun (f, c) -> select f, c))

    Standardization.applyTensor scaling x, (y.ToDtype Float32).Reshape [ -1; 1 ]

let x2Train, y2Train = classificationTensors pick cancer.Train cancer.Train
let x2Test, y2Test = classificationTensors pick cancer.Train cancer.Test

let logistic =
    {
        Model = Layers.dense 1
        Loss = fun logits targets -> Losses.binaryCrossEntropyWithLogits (logits, targets)
        Optimizer = Optim.adam 0.05
        Metrics = [ Metrics.binaryAccuracy 0.0; Metrics.rocAuc ]
    }

let twoFeatureFit =
    Train.fit logistic (fitOptions 30 32) (TrainStep.init logistic (Rng.seed 3) [ 2 ]) (x2Train, y2Train)

for name, value in Train.evaluate logistic twoFeatureFit.State 256 (x2Test, y2Test) do
    printfn "test %s: %.3f" name value

// %% [markdown]
// The decision boundary is where the logit is 0 (probability ½). The contour shows the predicted probability
// of "benign" over the (standardized) feature plane, with the test samples on top.

// %%
let grid = [| -2.5 .. 0.1..4.0 |]

let plane =
    Tensor.create
        [|
            for b in grid do
                for a in grid -> [| float32 a; float32 b |]
        |]

let probability =
    Tensor.sigmoid (Model.apply logistic.Model twoFeatureFit.State.Params plane)

let z = probability.ToArray<float32>() |> Array.chunkBySize grid.Length
let testPoints = x2Test.ToArray<float32>() |> Array.chunkBySize 2
let testLabels = y2Test.ToArray<float32>()

let samplesOf (label: float32) =
    let points =
        Array.zip testPoints testLabels
        |> Array.filter (fun (_, l) -> l = label)
        |> Array.map fst

    Chart.Point(
        points |> Array.map (fun p -> p[0]),
        points |> Array.map (fun p -> p[1]),
        Name = (BreastCancer.classNames ())[int label]
    )

Chart.combine
    [
        Chart.Contour(
            z,
            X = grid,
            Y = grid,
            ColorScale = StyleParam.Colorscale.RdBu,
            Opacity = 0.6,
            ShowScale = false,
            Name = "P(benign)"
        )
        samplesOf 0.0f
        samplesOf 1.0f
    ]
|> Chart.withXAxisStyle ("worst radius (standardized)", MinMax = (-2.5, 4.0))
|> Chart.withYAxisStyle ("worst concave points (standardized)", MinMax = (-2.5, 4.0))
|> Chart.withTitle "Logistic regression: decision boundary (test set)"
|> show "02-cancer-boundary"

// %% [markdown]
// With all thirty features the test accuracy improves. `Validation` makes `Train.fit` evaluate the test set
// after every epoch, and `Plot.history` draws the curves.

// %%
let allFeatures = [| 0 .. names.Length - 1 |]
let x30Train, y30Train = classificationTensors allFeatures cancer.Train cancer.Train
let x30Test, y30Test = classificationTensors allFeatures cancer.Train cancer.Test

let fullFit =
    Train.fit
        logistic
        { fitOptions 30 32 with
            Validation = Some(x30Test, y30Test)
        }
        (TrainStep.init logistic (Rng.seed 4) [ 30 ])
        (x30Train, y30Train)

for name, value in Train.evaluate logistic fullFit.State 256 (x30Test, y30Test) do
    printfn "test %s: %.3f" name value

Plot.history fullFit.History |> show "02-cancer-history"

// %% [markdown]
// Which mistakes remain? The confusion matrix of the test set (rows: true class).

// %%
let predictedClass =
    (Train.predict logistic fullFit.State 256 x30Test).ToArray<float32>()
    |> Array.map (fun logit -> if logit >= 0.0f then 1 else 0)

let trueClass = y30Test.ToArray<float32>() |> Array.map int

Plot.confusionMatrix
    (List.ofArray (BreastCancer.classNames ()))
    (ConfusionMatrix.ofLabels 2 predictedClass trueClass)
|> show "02-cancer-confusion"
