namespace Functional

open Functional.OptimHelpers

/// Reading the parameter average that `Transform.averageWeights` keeps in an optimizer state.
[<RequireQualifiedAccess>]
module WeightAverage =
    /// The name of the average in the optimizer state.
    [<Literal>]
    let StateKey = "weight_average"

    /// The averaged parameters in an optimizer state (searched through chains and other groups), if any.
    let rec tryFind (optState: Params) : Params option =
        match optState with
        | Leaf _ -> None
        | Group children ->
            match children |> List.tryFind (fun (name, _) -> name = StateKey) with
            | Some(_, average) -> Some average
            | None -> children |> List.tryPick (fun (_, child) -> tryFind child)

    /// The averaged parameters in an optimizer state; fails with a hint when the optimizer keeps none.
    let find (optState: Params) : Params =
        match tryFind optState with
        | Some average -> average
        | None ->
            Errors.fail
                "WeightAverage.find"
                "the optimizer state holds no weight average"
                "Wrap the optimizer in Transform.averageWeights (decay, optimizer) to keep one."

    /// a + (1 - decay)·(p - a), tensor by tensor.
    let internal blend (decay: float) (average: Params) (parameters: Params) : Params =
        Params.map2 (fun a p -> a + (1.0 - decay) * (p - a)) average parameters

/// `Transform.averageWeights`: an exponential moving average of the parameters beside any optimizer.
[<AutoOpen>]
module WeightAverageTransforms =
    type Transform with
        /// `inner`, plus an exponential moving average of the parameters after every step,
        /// a ← decay·a + (1 − decay)·(p + u), starting at the initial parameters (Keras' `use_ema`, torch's
        /// `AveragedModel` with an EMA); the updates are `inner`'s. Read it with `WeightAverage.find`.
        [<CompiledName("AverageWeights")>]
        static member averageWeights(decay: float, inner: Optimizer) : Optimizer =
            if not (decay >= 0.0 && decay < 1.0) then
                Errors.fail
                    "Transform.averageWeights"
                    $"decay is {decay}"
                    "Use a decay in [0, 1), e.g. 0.99 or 0.999 (1 would never move the average)."

            let state (innerState: Params) (average: Params) =
                Group [ "inner", innerState; WeightAverage.StateKey, average ]

            let averaged =
                {
                    Init = fun p -> state (inner.Init p) p
                    Update =
                        fun g s p ->
                            let u, innerState = inner.Update g (fieldOrEmpty "inner" s) p
                            let average = field WeightAverage.StateKey s
                            u, state innerState (WeightAverage.blend decay average (p + u))
                }

            let innerFused = FusedSteps.tryFind inner

            let fusedStep (g: Params) (s: Params) (p: Params) =
                innerFused
                |> Option.bind (fun step -> step g (fieldOrEmpty "inner" s) p)
                |> Option.map (fun (next, innerState) ->
                    next, state innerState (WeightAverage.blend decay (field WeightAverage.StateKey s) next))

            FusedSteps.attach fusedStep averaged
