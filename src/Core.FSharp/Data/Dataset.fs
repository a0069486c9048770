namespace Functional.Data

open System
open System.Collections
open System.Collections.Generic
open Functional

/// An immutable, indexable collection of samples (e.g. `float32[] * int` for features and a class).
/// Items are computed on access, so `map` is lazy and cheap; the data behind it is never copied.
[<Sealed>]
type Dataset<'T> internal (count: int, get: int -> 'T) =
    /// Number of samples.
    member _.Length = count

    /// The sample at index `i` (0-based).
    member _.Item
        with get (i: int): 'T =
            if i < 0 || i >= count then
                Errors.fail
                    "Dataset.item"
                    $"index {i} is out of range for a dataset of {count} samples"
                    "Use an index in [0, Length - 1]."

            get i

    /// Reads a sample without the bounds check (for the loader, whose indices are valid).
    member internal _.Get(i: int) = get i

    override _.ToString() =
        $"Dataset<{typeof<'T>.Name}>({count} samples)"

    interface IReadOnlyList<'T> with
        member d.Count = count

        member d.Item
            with get i = d[i]

        member d.GetEnumerator() : IEnumerator<'T> = (Seq.init count get).GetEnumerator()

        member d.GetEnumerator() : IEnumerator =
            (Seq.init count get :> IEnumerable).GetEnumerator()

/// A training set and a test set, as published with a dataset.
type TrainTest<'T> =
    {
        /// The training samples.
        Train: Dataset<'T>
        /// The held-out test samples.
        Test: Dataset<'T>
    }

/// Building, transforming and splitting datasets; every random choice takes an explicit `Rng`.
module Dataset =
    /// A dataset of `count` samples, sample `i` being `get i` (computed on each access).
    let init (count: int) (get: int -> 'T) : Dataset<'T> =
        if count < 0 then
            Errors.fail "Dataset.init" $"count {count} is negative" "Use a count >= 0."

        Dataset(count, get)

    /// A dataset over an array (the array is copied, so later changes to it do not leak in).
    let ofArray (items: 'T[]) : Dataset<'T> =
        let copy = Array.copy items
        Dataset(copy.Length, (fun i -> copy[i]))

    /// A dataset holding the items of a sequence (evaluated once, now).
    let ofSeq (items: 'T seq) : Dataset<'T> =
        let a = Array.ofSeq items
        Dataset(a.Length, (fun i -> a[i]))

    /// Number of samples.
    let length (d: Dataset<'T>) = d.Length

    /// The sample at index `i`.
    let item (i: int) (d: Dataset<'T>) : 'T = d[i]

    /// Every sample, evaluated, in order.
    let toArray (d: Dataset<'T>) : 'T[] = Array.init d.Length d.Get

    /// A dataset whose samples are `f` of this one's (lazy: `f` runs on each access).
    let map (f: 'T -> 'U) (d: Dataset<'T>) : Dataset<'U> =
        Dataset(d.Length, (fun i -> f (d.Get i)))

    /// Like `map`, with the sample index.
    let mapi (f: int -> 'T -> 'U) (d: Dataset<'T>) : Dataset<'U> =
        Dataset(d.Length, (fun i -> f i (d.Get i)))

    /// Evaluates every sample once and keeps the results (use after an expensive `map`).
    let cache (d: Dataset<'T>) : Dataset<'T> = ofSeq (toArray d)

    /// The samples at the given indices, in that order (indices may repeat).
    let subset (indices: int[]) (d: Dataset<'T>) : Dataset<'T> =
        match indices |> Array.tryFind (fun i -> i < 0 || i >= d.Length) with
        | Some bad ->
            Errors.fail
                "Dataset.subset"
                $"index {bad} is out of range for a dataset of {d.Length} samples"
                "Use indices in [0, Length - 1]."
        | None ->
            let idx = Array.copy indices
            Dataset(idx.Length, (fun i -> d.Get idx[i]))

    /// The samples for which `predicate` holds (it is evaluated on every sample once, now).
    let filter (predicate: 'T -> bool) (d: Dataset<'T>) : Dataset<'T> =
        let keep =
            [|
                for i in 0 .. d.Length - 1 do
                    if predicate (d.Get i) then
                        i
            |]

        Dataset(keep.Length, (fun i -> d.Get keep[i]))

    /// The first `n` samples (all of them when there are fewer).
    let take (n: int) (d: Dataset<'T>) : Dataset<'T> = Dataset(max 0 (min n d.Length), d.Get)

    /// All samples but the first `n`.
    let skip (n: int) (d: Dataset<'T>) : Dataset<'T> =
        let n = max 0 (min n d.Length)
        Dataset(d.Length - n, (fun i -> d.Get(i + n)))

    /// The samples of several datasets, one after the other.
    let concat (ds: Dataset<'T> seq) : Dataset<'T> =
        let parts = Array.ofSeq ds
        let starts = parts |> Array.scan (fun acc (p: Dataset<'T>) -> acc + p.Length) 0

        let get i =
            // the last part starting at or before i that is not empty
            let mutable p = parts.Length - 1

            while starts[p] > i || parts[p].Length = 0 do
                p <- p - 1

            parts[p].Get(i - starts[p])

        Dataset(starts[parts.Length], get)

    /// The samples of `a` followed by those of `b`.
    let append (a: Dataset<'T>) (b: Dataset<'T>) : Dataset<'T> = concat [ a; b ]

    /// The samples in a random order drawn from `rng` (the same key gives the same order).
    let shuffle (rng: Rng) (d: Dataset<'T>) : Dataset<'T> =
        subset (Sampling.permutation d.Length rng) d

    /// The number of samples each part of a split gets: round(fraction * n), the last part taking the rest.
    let splitSizes (fractions: float list) (n: int) : int list =
        if fractions.IsEmpty || fractions |> List.exists (fun f -> not (f > 0.0)) then
            Errors.fail
                "Dataset.split"
                $"the fractions {fractions} must be positive"
                "Use e.g. [0.8; 0.1; 0.1]."

        let total = List.sum fractions

        if abs (total - 1.0) > 1e-6 then
            Errors.fail
                "Dataset.split"
                $"the fractions {fractions} add up to {total}, not 1"
                "Make them add up to 1, e.g. [0.8; 0.2]."

        let firsts =
            fractions
            |> List.take (fractions.Length - 1)
            |> List.map (fun f -> int (Math.Round(f * float n)))

        if List.sum firsts > n then
            Errors.fail "Dataset.split" $"the fractions {fractions} do not fit {n} samples" "Use fewer parts."

        firsts @ [ n - List.sum firsts ]

    /// Splits into parts of the given fractions (adding up to 1) after shuffling with `rng`: e.g.
    /// `[0.8; 0.1; 0.1]` gives train, validation and test. Every sample lands in exactly one part.
    let split (rng: Rng) (fractions: float list) (d: Dataset<'T>) : Dataset<'T> list =
        let perm = Sampling.permutation d.Length rng
        let sizes = splitSizes fractions d.Length
        let starts = List.scan (+) 0 sizes

        List.map2
            (fun start size -> subset (Array.sub perm start size) d)
            (List.take sizes.Length starts)
            sizes

    /// Shuffles with `rng` and splits off a test part of `testFraction` (in (0, 1)): (train, test).
    let trainTestSplit (rng: Rng) (testFraction: float) (d: Dataset<'T>) : TrainTest<'T> =
        if not (testFraction > 0.0 && testFraction < 1.0) then
            Errors.fail
                "Dataset.trainTestSplit"
                $"the test fraction {testFraction} is not in (0, 1)"
                "Use e.g. 0.2."

        match split rng [ 1.0 - testFraction; testFraction ] d with
        | [ train; test ] -> { Train = train; Test = test }
        | _ -> Errors.invalid "Dataset.trainTestSplit" "internal error" ""

    /// Like `trainTestSplit`, but keeps each class's share the same in both parts (`label` gives the class).
    let stratifiedSplit (rng: Rng) (testFraction: float) (label: 'T -> int) (d: Dataset<'T>) : TrainTest<'T> =
        if not (testFraction > 0.0 && testFraction < 1.0) then
            Errors.fail
                "Dataset.stratifiedSplit"
                $"the test fraction {testFraction} is not in (0, 1)"
                "Use e.g. 0.2."

        let perm = Sampling.permutation d.Length rng

        let byClass = perm |> Array.groupBy (fun i -> label (d.Get i)) |> Array.sortBy fst

        let test =
            byClass
            |> Array.collect (fun (_, idx) ->
                Array.take (int (Math.Round(testFraction * float idx.Length))) idx)

        let inTest = HashSet<int>(test)

        {
            Train = subset (perm |> Array.filter (inTest.Contains >> not)) d
            Test = subset (perm |> Array.filter inTest.Contains) d
        }
