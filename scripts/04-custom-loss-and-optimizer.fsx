// %% [markdown]
// # 04 · A custom loss, a custom optimizer and a hypergradient
//
// Losses and optimizers are ordinary values built from tensor operations, so writing your own takes a few
// lines, and the result is differentiable like everything else: here we even take the derivative of a
// validation loss with respect to the learning rate, through a whole training run.
// With `FUNCTIONAL_QUICK=1` (as in the test suite) every training runs a few steps only.

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

// %% [script]
/// Saves a chart as a self-contained HTML file under artifacts/scripts (the notebook shows it inline).
let show (name: string) (chart: GenericChart) =
    let path =
        System.IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "artifacts", "scripts", name + ".html")

    Plot.save path chart
    printfn "chart: %s" (System.IO.Path.GetFullPath path)

// %% [markdown]
// ## A custom loss: focal loss
// The focal loss (Lin et al. 2017) down-weights examples the model already gets right:
// FL = -(1 - pₜ)^γ log pₜ, where pₜ is the predicted probability of the true class. With γ = 0 it is the
// cross-entropy. It is a plain function of tensors; `GradCheck` confirms that its first and second derivatives
// (both modes) agree with finite differences, the integer labels being held fixed.

// %%
/// Focal loss: the mean over samples of -(1 - pₜ)^γ log pₜ, for logits [n; classes] and Int64 labels [n].
let focalLoss (gamma: float) (logits: Tensor) (labels: Tensor) =
    let logPt =
        Tensor.gather (Tensor.logSoftmax (logits, 1), 1, labels.Reshape [ -1; 1 ])

    Tensor.mean (-((1.0 - Tensor.exp logPt) ** gamma) * logPt)

let logits = Tensor.randn (Rng.seed 0, [ 4; 3 ], Float64)
let labels = Tensor.create ([ 0L; 2L; 1L; 2L ], Int64)

printfn
    "γ = 0: focal %.6f, cross-entropy %.6f"
    ((focalLoss 0.0 logits labels).ToDouble())
    ((Losses.crossEntropy (logits, labels)).ToDouble())

printfn "γ = 2: focal %.6f" ((focalLoss 2.0 logits labels).ToDouble())
GradCheck.checkArgs (fun args -> focalLoss 2.0 args[0] args[1]) [| logits; labels |]
printfn "GradCheck: focal loss derivatives ok"

// %% [markdown]
// ## A custom optimizer from building blocks
// An optimizer is a record of two pure functions, `Init` (parameters -> state) and `Update` (gradients ->
// state -> parameters -> updates, state). AdaBelief (Zhuang et al. 2020) scales the step by the spread of the
// gradient around its running mean; chained with gradient clipping and the learning rate it is a complete
// optimizer. Its state is a `Params` tree you can print.

// %%
/// AdaBelief's scaling (without bias correction): m / (√s + eps), s tracking (g - m)².
let scaleByBelief (b1: float) (b2: float) (eps: float) : Optimizer =
    {
        Init = fun p -> Params.group [ "mu", Params.zerosLike p; "s", Params.zerosLike p ]
        Update =
            fun g state _ ->
                let mu = b1 * state["mu"] + (1.0 - b1) * g
                let s = b2 * state["s"] + (1.0 - b2) * (g - mu) * (g - mu) + eps
                Params.map2 (fun m v -> m / (Tensor.sqrt v + eps)) mu s, Params.group [ "mu", mu; "s", s ]
    }

let adaBelief (lr: float) =
    Transform.chain
        [
            Transform.clipByGlobalNorm 1.0
            scaleByBelief 0.9 0.999 1e-16
            Transform.scaleByLearningRate lr
        ]

let tiny = Params.ofList [ "w", Tensor.ones [ 2; 2 ]; "b", Tensor.zeros [ 2 ] ]
printfn "%O" ((adaBelief 1e-2).Init tiny)

// %% [markdown]
// ## Training with both
// An MLP on the 8×8 digits shipped with Functional, trained with the focal loss by three optimizers:
// plain SGD, Adam, and our AdaBelief.

// %%
let digits = Dataset.stratifiedSplit (Rng.seed 1) 0.2 snd (Digits.load ())
let xTrain, yTrain = Batch.classification [| 64 |] (Dataset.toArray digits.Train)
let xTest, yTest = Batch.classification [| 64 |] (Dataset.toArray digits.Test)
let mlp = Layers.dense 64 => Layers.relu => Layers.dense 10

let train (name: string) (optimizer: Optimizer) =
    let config =
        {
            Model = mlp
            Loss = focalLoss 2.0
            Optimizer = optimizer
            Metrics = [ Metrics.accuracy ]
        }

    let options =
        { FitOptions.defaults with
            Epochs = (if quick then 2 else 20)
            BatchSize = 64
            Validation = Some(xTest, yTest)
            MaxStepsPerEpoch = (if quick then Some 3 else None)
            Progress = Some Silent
        }

    let result =
        Train.fit config options (TrainStep.init config (Rng.seed 2) [ 64 ]) (xTrain, yTrain)

    let accuracy = History.validation "accuracy" result.History |> List.last |> snd
    printfn "%-10s test accuracy %.4f" name accuracy
    name, result.History

let runs =
    [
        train "SGD" (Optim.sgd 0.05)
        train "Adam" (Optim.adam 1e-3)
        train "AdaBelief" (adaBelief 1e-3)
    ]

[
    for name, history in runs ->
        let losses = history.Epochs |> List.collect (fun e -> e.StepLosses)
        Chart.Line([ 1 .. losses.Length ], losses, Name = name)
]
|> Chart.combine
|> Chart.withXAxisStyle "step"
|> Chart.withYAxisStyle ("focal loss (training batch)", AxisType = StyleParam.AxisType.Log)
|> Chart.withTitle "Focal loss on the digits, three optimizers"
|> show "04-optimizers"

// %% [markdown]
// ## A hypergradient of the learning rate
// Every optimizer update is written in tensor operations and a learning rate may be a tensor, so the
// validation loss after k training steps is a differentiable function of the learning rate. Reverse mode
// through the unrolled training (each step takes a gradient itself, so this is reverse-over-reverse) gives
// d(validation loss)/d(learning rate). The problem: linear regression on the diabetes data (Float64,
// standardized features and targets), 20 steps of full-batch gradient descent.

// %%
let diabetes = Dataset.trainTestSplit (Rng.seed 3) 0.25 (Diabetes.load ())
let xs, ys = Batch.regression [| 10 |] (Dataset.toArray diabetes.Train)
let scaleX = Standardization.fitTensor xs
let scaleY = Standardization.fitTensor (ys.Reshape [ -1; 1 ])

let regression (d: Dataset<float32[] * float32>) =
    let x, y = Batch.regression [| 10 |] (Dataset.toArray d)

    (Standardization.applyTensor scaleX x).ToDtype Float64,
    (Standardization.applyTensor scaleY (y.Reshape [ -1; 1 ])).ToDtype Float64

let (xFit, yFit), (xVal, yVal) = regression diabetes.Train, regression diabetes.Test

let mse (x: Tensor) (y: Tensor) (p: Params) =
    Tensor.mean ((Tensor.matmul (x, p.Get "w") + p.Get "b" - y) ** 2)

let init =
    Params.ofList [ "w", Tensor.zeros ([ 10; 1 ], Float64); "b", Tensor.zeros ([], Float64) ]

let steps = 20

/// The validation loss after `steps` steps of gradient descent, as a function of the learning rate.
let lossAfterTraining (lr: Tensor) =
    let opt = Optim.sgd lr

    let final, _ =
        Seq.fold
            (fun (p, s) _ -> Optimizer.step opt (DiffParams.grad (mse xFit yFit) p) s p)
            (init, opt.Init init)
            [ 1..steps ]

    mse xVal yVal final

let lr0 = Tensor.scalar (0.02, Float64)
let value, hypergradient = Diff.valueAndGrad lossAfterTraining lr0
let h = 1e-5

let central =
    ((lossAfterTraining (lr0 + h)).ToDouble()
     - (lossAfterTraining (lr0 - h)).ToDouble())
    / (2.0 * h)

printfn
    "validation loss %.5f at lr 0.02; d loss / d lr = %.4f (reverse mode), %.4f (forward mode), %.4f (central differences)"
    (value.ToDouble())
    (hypergradient.ToDouble())
    ((Diff.diff lossAfterTraining lr0).ToDouble())
    central

// %% [markdown]
// The loss as a function of the learning rate, and the tangent the hypergradient gives at 0.02. Too small a
// rate under-fits in 20 steps; above about 0.22 gradient descent diverges.

// %%
let rates =
    if quick then
        [ 0.005; 0.05; 0.2 ]
    else
        [ 0.005..0.005..0.2 ]

let curve =
    rates
    |> List.map (fun r -> (lossAfterTraining (Tensor.scalar (r, Float64))).ToDouble())

let tangent =
    [ 0.01; 0.035 ]
    |> List.map (fun r -> value.ToDouble() + hypergradient.ToDouble() * (r - 0.02))

Chart.combine
    [
        Chart.Line(rates, curve, Name = $"validation loss after {steps} steps", ShowMarkers = true)
        Chart.Line([ 0.01; 0.035 ], tangent, Name = "tangent from the hypergradient")
    ]
|> Chart.withXAxisStyle "learning rate"
|> Chart.withYAxisStyle "validation loss (standardized units)"
|> Chart.withTitle "Loss after training, as a function of the learning rate"
|> show "04-hypergradient"

// %% [markdown]
// Tuning the learning rate by gradient descent on it: the learning rate is a parameter like any other, so
// Adam can optimize it. Each iteration differentiates through the whole training run again.

// %%
let hyperOptimizer = Optim.adam 0.01

let tuned, _ =
    Seq.fold
        (fun (hyper: Params, state) i ->
            let loss, grads =
                DiffParams.valueAndGrad (fun (h: Params) -> lossAfterTraining (h.Get "lr")) hyper

            printfn
                "iteration %d: lr %.4f, validation loss %.5f"
                i
                ((hyper.Get "lr").ToDouble())
                (loss.ToDouble())

            Optimizer.step hyperOptimizer grads state hyper)
        (Params.ofList [ ("lr", lr0) ], hyperOptimizer.Init(Params.ofList [ ("lr", lr0) ]))
        [ 1 .. (if quick then 2 else 10) ]

printfn
    "tuned learning rate %.4f: validation loss %.5f"
    ((tuned.Get "lr").ToDouble())
    ((lossAfterTraining (tuned.Get "lr")).ToDouble())
