namespace Functional.Data

open System
open System.Collections.Concurrent
open System.Runtime.ExceptionServices
open System.Threading
open System.Threading.Tasks
open Functional

/// How a loader orders the samples of each epoch.
type internal SampleOrder<'T> =
    | Sequential
    | Shuffled of Rng
    | BucketedByLength of Rng * Lazy<int[]>

/// An immutable recipe for iterating a dataset in batches: batch size, order (sequential, shuffled by an
/// `Rng`, or bucketed by length), drop-last, background prefetching and a collate function that turns
/// the samples of a batch into a batch value (usually tensors). Build one with `DataLoader.create`.
type DataLoader<'T, 'B> =
    private
        {
            dataset: Dataset<'T>
            batchSize: int
            order: SampleOrder<'T>
            dropLast: bool
            prefetch: int
            collate: int -> int -> 'T[] -> 'B
        }

    /// The dataset being loaded.
    member l.Dataset = l.dataset

    /// Samples per batch (the last batch of an epoch may be smaller unless `DropLast`).
    member l.BatchSize = l.batchSize

    /// True when a final batch smaller than `BatchSize` is skipped.
    member l.DropLast = l.dropLast

    /// How many batches are prepared ahead on a background thread (0: none).
    member l.Prefetch = l.prefetch

    /// Number of batches in one epoch.
    member l.BatchCount =
        // (bucketing pools hold whole batches, so only the last pool can leave a short batch)
        if l.dropLast then
            l.dataset.Length / l.batchSize
        else
            (l.dataset.Length + l.batchSize - 1) / l.batchSize

/// Creating and running data loaders. The same `Rng` gives the same batches in every run; each epoch
/// derives its own key from it (`Rng.fold epoch`), so epochs differ from each other but not between runs.
module DataLoader =
    /// How many batches a bucketing pool holds: samples are sorted by length within pools of
    /// `poolBatches * batchSize` shuffled samples.
    let poolBatches = 50

    /// A loader over `dataset` giving batches of `batchSize` samples, in order, collated by `collate`
    /// (e.g. `Batch.classification [| 1; 28; 28 |]`), with two batches prefetched in the background.
    let create (batchSize: int) (collate: 'T[] -> 'B) (dataset: Dataset<'T>) : DataLoader<'T, 'B> =
        if batchSize <= 0 then
            Errors.fail "DataLoader.create" $"batch size {batchSize} is not positive" "Use a batch size >= 1."

        {
            dataset = dataset
            batchSize = batchSize
            order = Sequential
            dropLast = false
            prefetch = 2
            collate = fun _ _ samples -> collate samples
        }

    /// Shuffles the samples every epoch with a key derived from `rng` and the epoch number.
    let shuffle (rng: Rng) (loader: DataLoader<'T, 'B>) : DataLoader<'T, 'B> =
        { loader with order = Shuffled rng }

    /// Groups samples of similar `length` into the same batch (less padding for text): each epoch shuffles
    /// with `rng`, sorts pools of `poolBatches` batches by length, cuts them into batches and shuffles
    /// the batch order. Lengths are computed once, on first use.
    let bucketByLength (length: 'T -> int) (rng: Rng) (loader: DataLoader<'T, 'B>) : DataLoader<'T, 'B> =
        let d = loader.dataset
        let lengths = lazy (Array.init d.Length (fun i -> length (d.Get i)))

        { loader with
            order = BucketedByLength(rng, lengths)
        }

    /// Skips the last batch of an epoch when it is smaller than the batch size.
    let dropLast (loader: DataLoader<'T, 'B>) : DataLoader<'T, 'B> = { loader with dropLast = true }

    /// Prepares up to `batches` batches ahead on a background thread while the caller works (0: off).
    let prefetch (batches: int) (loader: DataLoader<'T, 'B>) : DataLoader<'T, 'B> =
        if batches < 0 then
            Errors.fail
                "DataLoader.prefetch"
                $"prefetch count {batches} is negative"
                "Use 0 (off) or a positive count."

        { loader with prefetch = batches }

    /// Applies `f` to every batch after collating (e.g. augmentation), with a key for batch `b` of
    /// epoch `e` derived from `rng`; runs on the prefetch thread too.
    let transform (rng: Rng) (f: Rng -> 'B -> 'C) (loader: DataLoader<'T, 'B>) : DataLoader<'T, 'C> =
        let collate = loader.collate

        {
            dataset = loader.dataset
            batchSize = loader.batchSize
            order = loader.order
            dropLast = loader.dropLast
            prefetch = loader.prefetch
            collate = fun e b samples -> f (Rng.fold b (Rng.fold e rng)) (collate e b samples)
        }

    /// Number of batches in one epoch.
    let batchCount (loader: DataLoader<'T, 'B>) : int = loader.BatchCount

    let private chunk (size: int) (dropLast: bool) (indices: int[]) : int[][] =
        let batches = Array.chunkBySize size indices

        if dropLast && batches.Length > 0 && batches[batches.Length - 1].Length < size then
            Array.take (batches.Length - 1) batches
        else
            batches

    /// The sample indices of every batch of epoch `epoch` (what `epoch` collates), in order.
    let batchIndices (epoch: int) (loader: DataLoader<'T, 'B>) : int[][] =
        let n = loader.dataset.Length

        match loader.order with
        | Sequential -> chunk loader.batchSize loader.dropLast (Array.init n id)
        | Shuffled rng -> chunk loader.batchSize loader.dropLast (Sampling.permutation n (Rng.fold epoch rng))
        | BucketedByLength(rng, lengths) ->
            let key = Rng.fold epoch rng
            let lengths = lengths.Force()
            let perm = Sampling.permutation n (Rng.fold 0 key)

            let batches =
                perm
                |> Array.chunkBySize (poolBatches * loader.batchSize)
                |> Array.collect (fun pool ->
                    pool
                    |> Array.mapi (fun pos i -> struct (lengths[i], pos, i))
                    |> Array.sort
                    |> Array.map (fun struct (_, _, i) -> i)
                    |> chunk loader.batchSize loader.dropLast)

            let order = Sampling.permutation batches.Length (Rng.fold 1 key)
            order |> Array.map (fun k -> batches[k])

    /// Runs `produce` on a background task, `capacity` items ahead of the consumer; exceptions reach
    /// the consumer, and stopping early cancels the producer.
    let private prefetched (capacity: int) (produce: seq<'B>) : seq<'B> =
        seq {
            use cancel = new CancellationTokenSource()
            use queue = new BlockingCollection<Choice<'B, ExceptionDispatchInfo>>(capacity)

            let producer =
                Task.Run(fun () ->
                    try
                        try
                            for b in produce do
                                queue.Add(Choice1Of2 b, cancel.Token)
                        with
                        | :? OperationCanceledException -> ()
                        | e ->
                            try
                                queue.Add(Choice2Of2(ExceptionDispatchInfo.Capture e), cancel.Token)
                            with :? OperationCanceledException ->
                                ()
                    finally
                        queue.CompleteAdding())

            try
                for item in queue.GetConsumingEnumerable() do
                    match item with
                    | Choice1Of2 b -> yield b
                    | Choice2Of2 e -> e.Throw()
            finally
                cancel.Cancel()
                producer.Wait()
        }

    /// The batches of epoch number `epoch` (0, 1, ...): every sample exactly once (unless `DropLast`),
    /// in an order that depends only on the loader's `Rng` and `epoch`.
    let epoch (epoch: int) (loader: DataLoader<'T, 'B>) : seq<'B> =
        let produce =
            seq {
                let batches = batchIndices epoch loader

                for b in 0 .. batches.Length - 1 do
                    yield loader.collate epoch b (Array.map loader.dataset.Get batches[b])
            }

        if loader.prefetch > 0 then
            prefetched loader.prefetch produce
        else
            produce

    /// The batches of the first epoch (epoch 0).
    let batches (loader: DataLoader<'T, 'B>) : seq<'B> = epoch 0 loader
