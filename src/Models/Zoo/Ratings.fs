/// MovieLens-small ratings for the recommender models: a seeded 80/20 split, index tensors, the
/// global-mean + biases baseline and the top-10 hit rate.
module Functional.Models.Zoo.Ratings

open System
open System.Collections.Generic
open Functional
open Functional.Data

/// Ratings with users and movies renumbered 0 .. count - 1, split 80/20.
type RatingData =
    {
        /// Number of users.
        Users: int
        /// Number of movies.
        Items: int
        /// Training ratings: (user, item, stars).
        Train: (int * int * float32)[]
        /// Test ratings.
        Test: (int * int * float32)[]
    }

/// Loads the ratings and splits them with a seeded shuffle (quick runs keep the first 5,000 ratings).
let load (quick: bool) : RatingData =
    let all = MovieLens.ratings ()
    let all = if quick then Dataset.take 5000 all else all
    let ratings = Dataset.toArray all
    let users = Dictionary<int, int>()
    let items = Dictionary<int, int>()

    let index (d: Dictionary<int, int>) (id: int) =
        match d.TryGetValue id with
        | true, i -> i
        | _ ->
            d[id] <- d.Count
            d.Count - 1

    let triples =
        ratings
        |> Array.map (fun r -> index users r.UserId, index items r.MovieId, r.Rating)

    let split = Dataset.trainTestSplit (Rng.seed 0) 0.2 (Dataset.ofArray triples)

    {
        Users = users.Count
        Items = items.Count
        Train = Dataset.toArray split.Train
        Test = Dataset.toArray split.Test
    }

/// (pairs Int64 [n; 2] of (user, item), stars Float32 [n]).
let tensors (ratings: (int * int * float32)[]) : Tensor * Tensor =
    let pairs =
        Array2D.init ratings.Length 2 (fun k j -> let u, i, _ = ratings[k] in int64 (if j = 0 then u else i))

    Tensor.create (pairs, Dtype.Int64), Tensor.create (ratings |> Array.map (fun (_, _, r) -> r))

/// Root-mean-square error of predictions against stars.
let rmse (predicted: float[]) (ratings: (int * int * float32)[]) : float =
    Array.map2 (fun p (_, _, r) -> (p - float r) ** 2.0) predicted ratings
    |> Array.average
    |> sqrt

/// The held-out ratings and the RMSE of predictions clamped to 0.5 .. 5 stars, for `evaluate`/`predict` of
/// a model of (user, item) pairs built from the data.
let evaluation (model: RatingData -> Model) (quick: bool) : ZooEvaluation =
    let data = load quick

    let clamp (p: Tensor) =
        Tensor.clamp (Tensor.reshape (p, [ -1 ]), 0.5, 5.0)

    {
        Model = model data
        InputShape = [ 2 ]
        Dtype = Float32
        Metric = "rmse"
        Test = tensors data.Test
        Score = fun p y -> (Tensor.sqrt (Tensor.mean ((clamp p - y) * (clamp p - y)))).ToDouble()
        Describe =
            fun p _ i ->
                let u, item, stars = data.Test[i]
                $"user {u}, movie {item}: predicted %.2f{(clamp p).ToArray<float>()[i]} stars, true %.1f{stars}"
    }

/// The mean training rating.
let globalMean (data: RatingData) : float =
    data.Train |> Array.averageBy (fun (_, _, r) -> float r)

/// The baseline r̂ = μ + b_u + b_i with damped biases (Koren's, λ = 10 for items, 15 for users), fitted by
/// a few alternating passes in plain F#: it returns the predictions for the given pairs.
let baseline (data: RatingData) : (int * int * float32)[] -> float[] =
    let mu = globalMean data
    let bu = Array.zeroCreate<float> data.Users
    let bi = Array.zeroCreate<float> data.Items

    for _ in 1..10 do
        let sums = Array.zeroCreate<float> data.Items
        let counts = Array.zeroCreate<float> data.Items

        for u, i, r in data.Train do
            sums[i] <- sums[i] + float r - mu - bu[u]
            counts[i] <- counts[i] + 1.0

        for i in 0 .. data.Items - 1 do
            bi[i] <- sums[i] / (10.0 + counts[i])

        let sums = Array.zeroCreate<float> data.Users
        let counts = Array.zeroCreate<float> data.Users

        for u, i, r in data.Train do
            sums[u] <- sums[u] + float r - mu - bi[i]
            counts[u] <- counts[u] + 1.0

        for u in 0 .. data.Users - 1 do
            bu[u] <- sums[u] / (15.0 + counts[u])

    fun pairs -> pairs |> Array.map (fun (u, i, _) -> mu + bu[u] + bi[i])

/// Top-10 hit rate: for every user with a test rating >= 4, their best such movie is ranked against 99
/// movies they never rated (drawn with a seeded generator); a hit when it lands in the top 10 of the
/// model's scores. `score` maps pairs to predicted ratings.
let hitRate (data: RatingData) (score: (int * int * float32)[] -> float[]) : float =
    let rated = HashSet<int64>()

    for u, i, _ in Array.append data.Train data.Test do
        rated.Add(int64 u * 1_000_000L + int64 i) |> ignore

    let held =
        data.Test
        |> Array.filter (fun (_, _, r) -> r >= 4.0f)
        |> Array.groupBy (fun (u, _, _) -> u)
        |> Array.map (fun (_, rs) -> rs |> Array.maxBy (fun (_, i, r) -> r, -i))

    let random = Random 0

    let hits =
        held
        |> Array.map (fun (u, i, r) ->
            let negatives =
                Seq.initInfinite (fun _ -> random.Next data.Items)
                |> Seq.filter (fun j -> not (rated.Contains(int64 u * 1_000_000L + int64 j)))
                |> Seq.distinct
                |> Seq.truncate 99
                |> Seq.map (fun j -> u, j, 0.0f)
                |> Array.ofSeq

            let scores = score (Array.append [| u, i, r |] negatives)
            let above = scores[1..] |> Array.filter (fun s -> s > scores[0]) |> Array.length
            if above < 10 then 1.0 else 0.0)

    if hits.Length = 0 then nan else Array.average hits
