namespace Functional

/// The forms a rate takes.
[<RequireQualifiedAccess; NoEquality; NoComparison>]
type internal RateKind =
    | Number of float
    | Fixed of Tensor
    | Schedule of (int -> float)
    | TensorSchedule of (int -> Tensor)

/// A learning rate (or any multiplier of the updates): a number, a tensor (so that results can be
/// differentiated with respect to it, e.g. hypergradients), or a schedule of the number of updates done
/// (`int -> float`, e.g. from `Schedule`, or `int -> Tensor`). Converts implicitly from each of these
/// where a method expects a Rate: `Optim.sgd 0.1`, `Optim.sgd lrTensor`, `Optim.sgd (Schedule.cosineDecay (0.1, 1000))`.
[<Sealed>]
type Rate internal (kind: RateKind) =
    member internal _.Kind = kind

    /// True when the value depends on the step count (the optimizer then keeps a count in its state).
    member _.IsScheduled =
        match kind with
        | RateKind.Schedule _
        | RateKind.TensorSchedule _ -> true
        | _ -> false

    /// The value after `count` updates, as a tensor (a Float64 scalar for numbers and schedules).
    member _.At(count: int) : Tensor =
        match kind with
        | RateKind.Number c -> Tensor.scalar (c, Float64)
        | RateKind.Fixed t -> t
        | RateKind.Schedule f -> Tensor.scalar (f count, Float64)
        | RateKind.TensorSchedule f -> f count

    /// x times the rate after `count` updates (a number multiplies exactly; a tensor must have one element).
    member internal _.Times (count: int) (x: Tensor) : Tensor =
        let byTensor (t: Tensor) =
            if t.NumElements <> 1 then
                Errors.fail
                    "Rate"
                    $"a tensor rate must have one element, but it has shape {Errors.shapeText (Array.map int64 t.Shape)}"
                    "Pass a scalar tensor, e.g. Tensor.scalar (0.1, Float64)."

            x * Tensor.reshape (t, [])

        match kind with
        | RateKind.Number c -> x * c
        | RateKind.Fixed t -> byTensor t
        | RateKind.Schedule f -> x * f count
        | RateKind.TensorSchedule f -> byTensor (f count)

    /// The rate with its sign flipped (a number or schedule stays exact; a tensor is negated).
    member internal _.Negated: Rate =
        match kind with
        | RateKind.Number c -> Rate(RateKind.Number -c)
        | RateKind.Fixed t -> Rate(RateKind.Fixed -t)
        | RateKind.Schedule f -> Rate(RateKind.Schedule(fun n -> -(f n)))
        | RateKind.TensorSchedule f -> Rate(RateKind.TensorSchedule(fun n -> -(f n)))

    /// A constant rate.
    static member constant(value: float) = Rate(RateKind.Number value)
    /// A constant rate held in a tensor (results are differentiable with respect to it).
    static member tensor(value: Tensor) = Rate(RateKind.Fixed value)
    /// A rate that depends on the number of updates done so far.
    static member schedule(schedule: int -> float) = Rate(RateKind.Schedule schedule)
    /// A tensor-valued schedule (differentiable with respect to whatever tensors it closes over).
    static member tensorSchedule(schedule: int -> Tensor) = Rate(RateKind.TensorSchedule schedule)

    /// A constant rate.
    static member op_Implicit(value: float) : Rate = Rate.constant value
    /// A constant rate held in a tensor.
    static member op_Implicit(value: Tensor) : Rate = Rate.tensor value
    /// A scheduled rate.
    static member op_Implicit(schedule: int -> float) : Rate = Rate.schedule schedule
    /// A tensor-valued scheduled rate.
    static member op_Implicit(schedule: int -> Tensor) : Rate = Rate.tensorSchedule schedule

    /// Describes the rate.
    override _.ToString() =
        match kind with
        | RateKind.Number c -> $"Rate {c}"
        | RateKind.Fixed t -> $"Rate {t}"
        | RateKind.Schedule _ -> "Rate (schedule)"
        | RateKind.TensorSchedule _ -> "Rate (tensor schedule)"
