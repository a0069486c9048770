namespace Functional

/// A streaming metric over batches: an immutable accumulator. `Update` folds in one batch of
/// predictions and targets and returns a new accumulator; `Compute` gives the value so far; `Reset`
/// gives the empty accumulator again. A metric value made by `Metrics.accuracy` etc. is empty.
/// The state type is hidden so that different metrics fit in one list.
[<Sealed>]
type Metric
    private (name: string, update: Tensor -> Tensor -> Metric, compute: unit -> float, reset: unit -> Metric)
    =

    /// The metric's name (used as a key in the training history, e.g. "accuracy").
    member _.Name = name

    /// A new accumulator with one more batch folded in (this one is unchanged).
    member _.Update(predictions: Tensor, targets: Tensor) : Metric = update predictions targets

    /// The metric over every batch folded in so far.
    member _.Compute() : float = compute ()

    /// The empty accumulator (as before the first batch).
    member _.Reset() : Metric = reset ()

    override _.ToString() = $"Metric({name})"

    /// A metric from a name, an initial state, a pure batch update (state -> predictions -> targets ->
    /// state) and a final computation (state -> value).
    static member create
        (name: string, init: 'State, update: 'State -> Tensor -> Tensor -> 'State, compute: 'State -> float)
        : Metric =
        let rec make (state: 'State) : Metric =
            Metric(
                name,
                (fun p t -> make (update state p t)),
                (fun () -> compute state),
                (fun () -> make init)
            )

        make init

/// Functions on metric accumulators, for pipelines: `m |> Metric.update p t |> Metric.compute`.
module Metric =
    /// A metric from a name, an initial state, a batch update and a final computation.
    let create
        (name: string)
        (init: 'State)
        (update: 'State -> Tensor -> Tensor -> 'State)
        (compute: 'State -> float)
        =
        Metric.create (name, init, update, compute)

    /// The metric's name.
    let name (m: Metric) = m.Name

    /// Folds one batch (predictions, targets) into the accumulator.
    let update (predictions: Tensor) (targets: Tensor) (m: Metric) = m.Update(predictions, targets)

    /// The metric's value over the batches folded in so far.
    let compute (m: Metric) = m.Compute()

    /// The empty accumulator.
    let reset (m: Metric) = m.Reset()

    /// The metric over a sequence of (predictions, targets) batches, starting from empty.
    let ofBatches (batches: seq<Tensor * Tensor>) (m: Metric) : float =
        batches
        |> Seq.fold (fun (acc: Metric) (p, t) -> acc.Update(p, t)) (m.Reset())
        |> compute
