/// An NCF-style deep recommender on MovieLens-small: user and movie embeddings, concatenated, through an
/// MLP to a rating; compared with `mf-recommender` on RMSE and the top-10 hit rate.
module Functional.Models.Zoo.DeepRecommender

open Functional

/// Registry name.
let name = "deep-recommender"

/// (user, item) index pairs [N; 2] -> predicted stars [N].
let model (users: int) (items: int) (mean: float) : Model =
    let column (i: int) =
        Model.lambda $"Column({i})" (fun pairs -> Tensor.select (pairs, 1, i))

    let embed (count: int) =
        Layers.embedding (count, 32, weightInit = Init.normal 0.0 0.1)

    Model.concat [ column 0 => embed users; column 1 => embed items ]
    => Layers.dense 64
    => Layers.relu
    => Layers.dropout 0.3
    => Layers.dense 32
    => Layers.relu
    => Layers.dense 1
    => Model.lambda "Stars" (fun x -> Tensor.reshape (x, [ -1 ]) + mean)

/// The held-out ratings and RMSE for `evaluate`/`predict`.
let evaluation (quick: bool) : ZooEvaluation =
    Ratings.evaluation (fun d -> model d.Users d.Items (Ratings.globalMean d)) quick

/// Trains, trains `mf-recommender` for comparison, prints the test RMSE last.
let run (options: ZooOptions) : ZooResult =
    printfn "== deep-recommender: MovieLens small, embeddings + MLP (NCF-style), 80/20 split"
    let data = Ratings.load options.Quick
    let xTrain, yTrain = Ratings.tensors data.Train
    let xTest, yTest = Ratings.tensors data.Test
    let m = model data.Users data.Items (Ratings.globalMean data)
    let batchSize = 256

    let config =
        {
            Model = m
            Loss = fun p t -> Losses.mse (p, t)
            Optimizer = Optim.adamW (1e-3, weightDecay = 0.05)
            Metrics = [ Metrics.mse ]
        }

    printfn "%s" (Model.summary [ 2 ] m)
    let state = TrainStep.init config (Rng.seed 1) [ 2 ]

    let fit =
        Train.fit
            config
            { Zoo.fitOptions options 4 batchSize with
                Validation = Some(xTest, yTest)
            }
            state
            (xTrain, yTrain)

    let seconds = Zoo.reportTime fit.History batchSize
    let reloaded, files = Zoo.saveRun options name [ 2 ] m fit
    let scorer = MfRecommender.scorer m reloaded.Params
    let rmse = Ratings.rmse (scorer data.Test) data.Test
    let hits = Ratings.hitRate data scorer

    printfn "-- mf-recommender for comparison"
    let mf = MfRecommender.train options MfRecommender.settings data
    let mfScorer = MfRecommender.scorer mf.Model mf.Params
    let mfRmse = Ratings.rmse (mfScorer data.Test) data.Test
    let mfHits = Ratings.hitRate data mfScorer

    printfn "| model | test rmse | top-10 hit rate |"
    printfn "|---|---|---|"
    printfn "| deep-recommender | %.4f | %.4f |" rmse hits
    printfn "| mf-recommender | %.4f | %.4f |" mfRmse mfHits
    Zoo.metricLine "rmse" rmse

    {
        Name = name
        Metric = "rmse"
        Value = rmse
        Epochs = fit.History.Epochs.Length
        SecondsPerEpoch = seconds
        Parameters = Params.count fit.State.Params
        Details = [ "hit_rate_at_10", hits; "mf_rmse", mfRmse; "mf_hit_rate_at_10", mfHits ]
        Files = files
    }
