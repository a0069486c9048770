// %% [markdown]
// # 06 · Recommender: matrix factorization and a deep recommender
//
// MovieLens ratings (100,004 ratings of 9,066 movies by 671 users, 0.5 to 5 stars): predict the rating a user
// would give a movie. First the classic matrix factorization, written as a custom model in a few lines, then
// a neural recommender from standard layers. MovieLens is fetched once into the dataset cache
// (`dotnet run --project src/Models -- data fetch movielens`; the test script does it).
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
// ## Data
// User and movie ids are renumbered 0 .. n-1 so they can index embedding tables. Each sample is the pair
// (user, movie) as an Int64 row [2]; the target is the rating. 10% of the ratings are held out for testing.

// %%
let ratings = MovieLens.ratings ()

let userIds =
    ratings
    |> Seq.map (fun r -> r.UserId)
    |> Seq.distinct
    |> Seq.sort
    |> Array.ofSeq

let movieIds =
    ratings
    |> Seq.map (fun r -> r.MovieId)
    |> Seq.distinct
    |> Seq.sort
    |> Array.ofSeq

let userIndex = userIds |> Array.mapi (fun i id -> id, i) |> dict
let movieIndex = movieIds |> Array.mapi (fun i id -> id, i) |> dict
let split = Dataset.trainTestSplit (Rng.seed 0) 0.1 ratings

let tensors (d: Dataset<MovieRating>) =
    let rs = Dataset.toArray d

    Tensor.create (
        rs
        |> Array.map (fun r -> [| int64 userIndex[r.UserId]; int64 movieIndex[r.MovieId] |]),
        Int64
    ),
    Tensor.create (rs |> Array.map (fun r -> [| r.Rating |]))

let xTrain, yTrain = tensors split.Train
let xTest, yTest = tensors split.Test
let mean = (Tensor.mean yTrain).ToDouble()
let baseline = sqrt ((Tensor.mean ((yTest - mean) ** 2)).ToDouble())
printfn "%d users, %d movies; train %A, test %A" userIds.Length movieIds.Length xTrain.Shape xTest.Shape
printfn "mean rating %.3f; predicting it for everyone gives a test RMSE of %.4f" mean baseline

Chart.Histogram(ratings |> Seq.map (fun r -> float r.Rating) |> Array.ofSeq, Name = "ratings")
|> Chart.withXAxisStyle "stars"
|> Chart.withTitle "How MovieLens users rate"
|> show "06-ratings"

// %% [markdown]
// ## Matrix factorization
// Every user u and movie i get a vector of k latent factors and a bias; the predicted rating is
// r̂ = μ + b_u + b_i + p_u · q_i. `Model.create` turns an initializer and an apply function into a model. We also
// write a metric of our own, the root mean squared error, with `Metric.create`.

// %%
/// r̂(u, i) = μ + b_u + b_i + p_u · q_i for rows (user, movie) of an Int64 input [n; 2]; output [n; 1].
let matrixFactorization (users: int) (movies: int) (factors: int) =
    Model.create
        $"MatrixFactorization({factors})"
        (fun rng _ ->
            Params.ofList
                [
                    "user", Init.normal 0.0 0.1 (Rng.fold 0 rng) [| users; factors |]
                    "movie", Init.normal 0.0 0.1 (Rng.fold 1 rng) [| movies; factors |]
                    "user_bias", Tensor.zeros [ users; 1 ]
                    "movie_bias", Tensor.zeros [ movies; 1 ]
                ],
            [| 1 |])
        (fun p x ->
            let u, i = Tensor.select (x, 1, 0), Tensor.select (x, 1, 1)
            let pick name (ids: Tensor) = Tensor.index (p.Get name, ids)

            mean
            + pick "user_bias" u
            + pick "movie_bias" i
            + Tensor.sum (pick "user" u * pick "movie" i, 1, keepDim = true))

/// Root mean squared error over all predictions seen.
let rmse =
    Metric.create
        "rmse"
        (0.0, 0)
        (fun (sum, count) predictions targets ->
            sum + (Tensor.sum ((predictions - targets) ** 2)).ToDouble(), count + targets.NumElements)
        (fun (sum, count) -> sqrt (sum / float count))

let options =
    { FitOptions.defaults with
        Epochs = (if quick then 1 else 12)
        BatchSize = 512
        Validation = Some(xTest, yTest)
        MaxStepsPerEpoch = (if quick then Some 3 else None)
        Progress = Some Quiet
    }

let mfConfig =
    {
        Model = matrixFactorization userIds.Length movieIds.Length 32
        Loss = fun predictions targets -> Losses.mse (predictions, targets)
        Optimizer = Optim.adamW (5e-3, weightDecay = 0.1)
        Metrics = [ rmse; Metrics.mae ]
    }

let mfFit =
    Train.fit mfConfig options (TrainStep.init mfConfig (Rng.seed 1) [ 2 ]) (xTrain, yTrain)

// %% [markdown]
// ## A deep recommender
// The same idea with standard layers: each id goes through its own embedding, the two vectors are concatenated
// and a small MLP predicts the rating. `Model.ofFunction` picks the user or movie column, `Model.concat` runs
// both branches on the same input, `Model.map` adds the mean rating to the output.

// %%
let column (name: string) (k: int) =
    Model.ofFunction name (fun _ -> [||]) (fun x -> Tensor.select (x, 1, k))

let deep =
    Model.concat
        [
            column "UserId" 0 => Layers.embedding (userIds.Length, 32)
            column "MovieId" 1 => Layers.embedding (movieIds.Length, 32)
        ]
    => Layers.dense 64
    => Layers.relu
    => Layers.dropout 0.3
    => Layers.dense 1
    |> Model.map (fun r -> r + mean)

let deepConfig =
    { mfConfig with
        Model = deep
        Optimizer = Optim.adamW (2e-3, weightDecay = 0.05)
    }

printfn "%s" (Model.summary [ 2 ] deep)

let deepFit =
    Train.fit deepConfig options (TrainStep.init deepConfig (Rng.seed 2) [ 2 ]) (xTrain, yTrain)

// %% [markdown]
// Test RMSE by epoch for both models, against the mean-rating baseline.

// %%
let curve (name: string) (fit: FitResult) =
    let points = History.validation "rmse" fit.History
    Chart.Line(points |> List.map fst, points |> List.map snd, Name = name, ShowMarkers = true)

Chart.combine
    [
        curve "matrix factorization" mfFit
        curve "deep recommender" deepFit
        Chart.Line([ 1; options.Epochs ], [ baseline; baseline ], Name = "mean rating")
    ]
|> Chart.withXAxisStyle "epoch"
|> Chart.withYAxisStyle "test RMSE (stars)"
|> Chart.withTitle "MovieLens: test error"
|> show "06-rmse"

// %% [markdown]
// ## Recommendations
// The movies a user has not rated yet, ranked by predicted rating (MovieLens movie ids: look them up on
// movielens.org).

// %%
let user = 0

let seen =
    split.Train
    |> Seq.filter (fun r -> userIndex[r.UserId] = user)
    |> Seq.map (fun r -> movieIndex[r.MovieId])
    |> set

let candidates =
    [| 0 .. movieIds.Length - 1 |] |> Array.filter (seen.Contains >> not)

let pairs =
    Tensor.create (candidates |> Array.map (fun m -> [| int64 user; int64 m |]), Int64)

let scores = (Train.predict mfConfig mfFit.State 4096 pairs).ToArray<float32>()

printfn "user %d rated %d movies; top 10 of the %d others:" userIds[user] seen.Count candidates.Length

for k in Array.zip candidates scores |> Array.sortByDescending snd |> Array.truncate 10 do
    printfn "  movie %6d: predicted %.2f stars" movieIds[fst k] (snd k)
