namespace Functional

open Functional.OptimHelpers

/// Reduce-on-plateau: a multiplier of the updates that shrinks when a metric (e.g. the validation loss)
/// stops improving. Its state lives in the optimizer state under "reduceOnPlateau" (so it is saved with
/// it); feed the metric with `Plateau.report`.
[<AutoOpen>]
module PlateauTransform =
    /// The name of the state group of `Transform.reduceOnPlateau`.
    [<Literal>]
    let PlateauStateName = "reduceOnPlateau"

    let internal float64 (value: float) = Leaf(Tensor.scalar (value, Float64))

    type Transform with
        /// Multiplies the updates by a scale that starts at 1 and is multiplied by `factor` (default 0.1)
        /// when the reported metric has not improved by a relative `threshold` (1e-4) for more than
        /// `patience` (10) reports, then waits `cooldown` (0) reports; never below `minScale` (0). As
        /// PyTorch's ReduceLROnPlateau in mode "min": chain it after an optimizer and call `Plateau.report`.
        [<CompiledName("ReduceOnPlateau")>]
        static member reduceOnPlateau
            (?factor: float, ?patience: int, ?threshold: float, ?cooldown: int, ?minScale: float)
            : Optimizer =
            let factor = defaultArg factor 0.1

            if not (factor > 0.0 && factor < 1.0) then
                Errors.fail "Transform.reduceOnPlateau" $"factor is {factor}" "Use a factor in (0, 1)."

            let settings =
                [
                    "factor", float64 factor
                    "patience", float64 (float (defaultArg patience 10))
                    "threshold", float64 (defaultArg threshold 1e-4)
                    "cooldown", float64 (float (defaultArg cooldown 0))
                    "minScale", float64 (defaultArg minScale 0.0)
                ]

            {
                Init =
                    fun _ ->
                        Group
                            [
                                PlateauStateName,
                                Group(
                                    [
                                        "scale", float64 1.0
                                        "best", float64 infinity
                                        "badReports", float64 0.0
                                        "cooldownLeft", float64 0.0
                                    ]
                                    @ settings
                                )
                            ]
                Update =
                    fun g state _ ->
                        let scale = (Params.get "scale" (field PlateauStateName state)).ToDouble()
                        Params.map (fun t -> t * scale) g, state
            }

/// Driving `Transform.reduceOnPlateau` with a metric.
[<RequireQualifiedAccess>]
module Plateau =
    let private read (name: string) (s: Params) = (Params.get name s).ToDouble()

    /// One report (PyTorch's ReduceLROnPlateau.step) on one plateau state group.
    let private next (metric: float) (s: Params) : Params =
        let best = read "best" s
        let improved = metric < best * (1.0 - read "threshold" s)
        let best = if improved then metric else best
        let bad = if improved then 0.0 else read "badReports" s + 1.0
        let cooldownLeft = read "cooldownLeft" s
        let inCooldown = cooldownLeft > 0.0
        let cooldownLeft = if inCooldown then cooldownLeft - 1.0 else cooldownLeft
        let bad = if inCooldown then 0.0 else bad
        let scale = read "scale" s

        let scale, cooldownLeft, bad =
            if bad > read "patience" s then
                let reduced = max (scale * read "factor" s) (read "minScale" s)
                (if scale - reduced > 1e-8 then reduced else scale), read "cooldown" s, 0.0
            else
                scale, cooldownLeft, bad

        s
        |> Params.set "scale" (float64 scale)
        |> Params.set "best" (float64 best)
        |> Params.set "badReports" (float64 bad)
        |> Params.set "cooldownLeft" (float64 cooldownLeft)

    let rec private visit (found: bool ref) (metric: float) (state: Params) : Params =
        match state with
        | Leaf _ -> state
        | Group children ->
            children
            |> List.map (fun (name, child) ->
                if name = PlateauStateName then
                    found.Value <- true
                    name, next metric child
                else
                    name, visit found metric child)
            |> Group

    /// The optimizer state after reporting `metric` (lower is better) to every reduce-on-plateau part of it.
    let report (metric: float) (state: Params) : Params =
        let found = ref false
        let result = visit found metric state

        if not found.Value then
            Errors.fail
                "Plateau.report"
                "the state has no reduce-on-plateau part"
                "Chain Transform.reduceOnPlateau () into the optimizer whose state you pass."

        result

    /// The current scale of the first reduce-on-plateau part of an optimizer state.
    let scale (state: Params) : float =
        match
            Params.toList state
            |> List.tryFind (fun (path, _) -> path.EndsWith(PlateauStateName + ".scale"))
        with
        | Some(_, t) -> t.ToDouble()
        | None ->
            Errors.fail
                "Plateau.scale"
                "the state has no reduce-on-plateau part"
                "Chain Transform.reduceOnPlateau () into the optimizer."
