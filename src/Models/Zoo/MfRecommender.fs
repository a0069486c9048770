/// Matrix factorization with biases on MovieLens-small: r̂(u, i) = μ + b_u + b_i + p_u · q_i, trained by
/// minibatch Adam on the squared error plus an L2 penalty on the rows each batch uses (as Funk's SVD does).
/// The penalty needs the parameters, so this model has its own small training loop instead of `Train.fit`.
module Functional.Models.Zoo.MfRecommender

open System
open Functional

/// Registry name.
let name = "mf-recommender"

/// The model over (user, item) index pairs [N; 2] -> predicted stars [N].
let model (users: int) (items: int) (factors: int) (mean: float) : Model =
    Model.create
        $"MatrixFactorization({users} users, {items} items, {factors} factors)"
        (fun rng _ ->
            Params.group
                [
                    "user_factors", Leaf(Init.normal 0.0 0.1 (Rng.fold 0 rng) [| users; factors |])
                    "item_factors", Leaf(Init.normal 0.0 0.1 (Rng.fold 1 rng) [| items; factors |])
                    "user_bias", Leaf(Tensor.zeros [ users ])
                    "item_bias", Leaf(Tensor.zeros [ items ])
                ],
            [||])
        (fun p pairs ->
            let rows (table: string) (column: int) =
                Tensor.indexSelect (Params.get table p, 0, Tensor.select (pairs, 1, column))

            let dot = Tensor.sum (rows "user_factors" 0 * rows "item_factors" 1, 1)
            dot + rows "user_bias" 0 + rows "item_bias" 1 + mean)

/// The mean over the batch of the squared norms of the factor and bias rows it uses.
let penalty (p: Params) (pairs: Tensor) : Tensor =
    let rows (table: string) (column: int) =
        Tensor.indexSelect (Params.get table p, 0, Tensor.select (pairs, 1, column))

    let squares (t: Tensor) = t * t

    (Tensor.sum (squares (rows "user_factors" 0))
     + Tensor.sum (squares (rows "item_factors" 1))
     + Tensor.sum (squares (rows "user_bias" 0))
     + Tensor.sum (squares (rows "item_bias" 1)))
    / float pairs.Shape[0]

/// The hyperparameters of a factorization run.
type Settings =
    {
        /// Latent factors per user and movie.
        Factors: int
        /// Weight of the per-row L2 penalty.
        Lambda: float
        /// Adam's learning rate.
        LearningRate: float
        /// Full-budget epochs.
        Epochs: int
        /// Ratings per step.
        BatchSize: int
    }

/// The settings of the zoo run.
let settings =
    {
        Factors = 32
        Lambda = 0.1
        LearningRate = 2e-3
        Epochs = 12
        BatchSize = 256
    }

/// The held-out ratings and RMSE for `evaluate`/`predict`.
let evaluation (quick: bool) : ZooEvaluation =
    Ratings.evaluation (fun d -> model d.Users d.Items settings.Factors (Ratings.globalMean d)) quick

/// A trained factorization: the model, its parameters, its history and the seconds per epoch.
type Trained =
    {
        Model: Model
        Params: Params
        History: History
        SecondsPerEpoch: float
        BatchSize: int
    }

/// Predicted stars (clamped to 0.5 .. 5) for (user, item, _) pairs.
let scorer (m: Model) (p: Params) (pairs: (int * int * float32)[]) : float[] =
    let x, _ = Ratings.tensors pairs

    (Tensor.clamp (Model.apply m p x, 0.5, 5.0)).ToArray<float32>()
    |> Array.map float

/// Trains the factorization (used by `deep-recommender` as its comparison too).
let train (options: ZooOptions) (settings: Settings) (data: Ratings.RatingData) : Trained =
    let lambda, batchSize = settings.Lambda, settings.BatchSize
    let m = model data.Users data.Items settings.Factors (Ratings.globalMean data)
    let x, y = Ratings.tensors data.Train
    let n = x.Shape[0]
    let epochs = Zoo.epochs options settings.Epochs
    let optimizer = Optim.adam settings.LearningRate
    let p0 = Model.init (Rng.seed 1) [ 2 ] m
    printfn "%s" (Model.summary [ 2 ] m)

    let loss (xb: Tensor) (yb: Tensor) (p: Params) =
        Losses.mse (Model.apply m p xb, yb) + lambda * penalty p xb

    let rec epoch (k: int) (p: Params) (opt: Params) (history: History) =
        if k > epochs then
            p, history
        else
            let watch = Diagnostics.Stopwatch.StartNew()
            let order = Array.init n id
            Random(k).Shuffle order
            let batches = order |> Array.chunkBySize batchSize
            let batches = if options.Quick then Array.truncate 3 batches else batches
            let mutable p, opt = p, opt
            let losses = Collections.Generic.List<float>()

            for idx in batches do
                let rows = Tensor.create (Array.map int64 idx, Dtype.Int64)
                let xb, yb = Tensor.index (x, rows), Tensor.index (y, rows)
                let value, p', opt' = Optimizer.minimizeStep optimizer (loss xb yb) opt p
                p <- p'
                opt <- opt'
                losses.Add(value.ToDouble())

            let testRmse = Ratings.rmse (scorer m p data.Test) data.Test
            let trainLoss = Seq.average losses

            printfn
                "epoch %d/%d  loss %.4f  val_rmse %.4f  %.1fs"
                k
                epochs
                trainLoss
                testRmse
                watch.Elapsed.TotalSeconds

            let record =
                { History.epoch k [ "loss", trainLoss ] [ "rmse", testRmse ] with
                    Duration = watch.Elapsed
                    StepLosses = List.ofSeq losses
                }

            epoch (k + 1) p opt (History.add record history)

    let p, history = epoch 1 p0 (Optimizer.init optimizer p0) History.empty

    {
        Model = m
        Params = p
        History = history
        SecondsPerEpoch = Zoo.secondsPerEpoch history
        BatchSize = batchSize
    }

/// Trains, compares with the baseline, prints the test RMSE last.
let run (options: ZooOptions) : ZooResult =
    printfn "== mf-recommender: MovieLens small (100,004 ratings, 671 users, 9,066 movies), 80/20 split"
    let data = Ratings.load options.Quick
    let baseline = Ratings.rmse (Ratings.baseline data data.Test) data.Test
    printfn "baseline (global mean + damped user and item biases): test rmse %.4f" baseline
    let t = train options settings data
    Zoo.reportTime t.History t.BatchSize |> ignore

    let state =
        {
            Params = t.Params
            ModelState = Params.empty
            OptState = Params.empty
            Step = 0
            Rng = Rng.seed 0
        }

    let fit =
        {
            State = state
            History = t.History
            StoppedEarly = None
        }

    let reloaded, files = Zoo.saveRun options name [ 2 ] t.Model fit
    let predictions = scorer t.Model reloaded.Params data.Test
    let hits = Ratings.hitRate data (scorer t.Model reloaded.Params)
    let rmse = Ratings.rmse predictions data.Test
    printfn "top-10 hit rate (best test movie among 99 unrated ones): %.4f" hits
    printfn "matrix factorization vs baseline: %.4f vs %.4f rmse" rmse baseline
    Zoo.metricLine "rmse" rmse

    {
        Name = name
        Metric = "rmse"
        Value = rmse
        Epochs = t.History.Epochs.Length
        SecondsPerEpoch = t.SecondsPerEpoch
        Parameters = Params.count t.Params
        Details = [ "baseline_rmse", baseline; "hit_rate_at_10", hits ]
        Files = files
    }
