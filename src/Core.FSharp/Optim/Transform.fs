namespace Functional

open Functional.OptimHelpers

/// Building blocks of optimizers (optax's transformations): each turns incoming updates (at first the
/// gradients) into outgoing ones and keeps its own state. Combine them with `Transform.chain`; the named
/// optimizers in `Optim` are such chains. Every rule is written in Tensor ops, so it is differentiable.
[<AbstractClass; Sealed>]
type Transform =
    /// Leaves the updates unchanged (no state).
    static member identity: Optimizer =
        {
            Init = fun _ -> Params.empty
            Update = fun g state _ -> g, state
        }

    /// Multiplies the updates by a rate: a number, a tensor or a schedule (which keeps a count in the state).
    static member scale(factor: Rate) : Optimizer =
        if factor.IsScheduled then
            {
                Init = fun _ -> Group [ "count", Leaf(countTensor 0) ]
                Update =
                    fun g state _ ->
                        let n = countField "count" state
                        Params.map (factor.Times n) g, Group [ "count", Leaf(countTensor (n + 1)) ]
            }
        else
            {
                Init = fun _ -> Params.empty
                Update = fun g state _ -> Params.map (factor.Times 0) g, state
            }

    /// Multiplies the updates by -lr (descent); lr is a number, a tensor or a schedule.
    /// (One multiplication by -lr per tensor, not a scaling and a negation.)
    static member scaleByLearningRate(lr: Rate) : Optimizer = Transform.scale lr.Negated

    /// Multiplies the updates by schedule(count), count = updates done so far.
    static member scaleBySchedule(schedule: int -> float) : Optimizer =
        Transform.scale (Rate.schedule schedule)

    /// Adds weightDecay · params to the updates (L2 regularisation when placed before the scaling, decoupled
    /// weight decay when placed after it, as in AdamW).
    static member addDecayedWeights(weightDecay: float) : Optimizer =
        {
            Init = fun _ -> Params.empty
            Update = fun g state p -> Params.map2 (fun u w -> u + weightDecay * w) g p, state
        }

    /// Momentum as PyTorch's SGD: b ← decay · b + (1 - dampening) · u (b = u at the first step); outputs b,
    /// or u + decay · b with `nesterov`.
    static member trace(decay: float, ?nesterov: bool, ?dampening: float) : Optimizer =
        let nesterov = defaultArg nesterov false
        let dampening = defaultArg dampening 0.0

        if nesterov && dampening <> 0.0 then
            Errors.fail
                "Transform.trace"
                $"nesterov with dampening {dampening}"
                "Nesterov momentum needs dampening = 0 (as in PyTorch)."

        {
            Init = fun p -> Group [ "count", Leaf(countTensor 0); "trace", Params.zerosLike p ]
            Update =
                fun g state _ ->
                    let n = countField "count" state

                    let trace =
                        if n = 0 then
                            g
                        else
                            Params.map2 (fun b u -> decay * b + (1.0 - dampening) * u) (field "trace" state) g

                    let updates =
                        if nesterov then
                            Params.map2 (fun u b -> u + decay * b) g trace
                        else
                            trace

                    updates, Group [ "count", Leaf(countTensor (n + 1)); "trace", trace ]
        }

    /// Adam's scaling: m̂ / (√(v̂ + epsRoot) + eps) with bias-corrected moments m̂ = m / (1 - β₁ᵗ),
    /// v̂ = v / (1 - β₂ᵗ); with `amsgrad`, v is replaced by its running maximum (PyTorch's AMSGrad).
    static member scaleByAdam
        (?beta1: float, ?beta2: float, ?eps: float, ?epsRoot: float, ?amsgrad: bool)
        : Optimizer =
        let b1 = defaultArg beta1 0.9
        let b2 = defaultArg beta2 0.999
        let eps = defaultArg eps 1e-8
        let epsRoot = defaultArg epsRoot 0.0
        let amsgrad = defaultArg amsgrad false

        {
            Init =
                fun p ->
                    let moments =
                        [
                            "count", Leaf(countTensor 0)
                            "mu", Params.zerosLike p
                            "nu", Params.zerosLike p
                        ]

                    Group(
                        if amsgrad then
                            moments @ [ "nuMax", Params.zerosLike p ]
                        else
                            moments
                    )
            Update =
                fun g state _ ->
                    let n = countField "count" state + 1
                    let mu = Params.map2 (FusedMoments.average b1) (field "mu" state) g
                    let nu = Params.map2 (FusedMoments.averageOfSquares b2) (field "nu" state) g

                    let nuMax =
                        if amsgrad then
                            Params.map2 (fun a b -> Tensor.maximum (a, b)) (field "nuMax" state) nu
                        else
                            nu

                    let c1 = 1.0 - pown b1 n
                    let c2 = 1.0 - pown b2 n

                    let updates = Params.map2 (FusedMoments.adamDirection c1 c2 epsRoot eps) mu nuMax

                    let counted = [ "count", Leaf(countTensor n); "mu", mu; "nu", nu ]
                    updates, Group(if amsgrad then counted @ [ "nuMax", nuMax ] else counted)
        }

    /// RMSprop's scaling as PyTorch: v ← decay · v + (1 - decay) · u², output u / (√v + eps); with `centered`,
    /// also m ← decay · m + (1 - decay) · u and output u / (√(v - m²) + eps). (optax puts eps inside the root.)
    static member scaleByRms(?decay: float, ?eps: float, ?centered: bool) : Optimizer =
        let decay = defaultArg decay 0.99
        let eps = defaultArg eps 1e-8
        let centered = defaultArg centered false

        {
            Init =
                fun p ->
                    Group(
                        if centered then
                            [ "nu", Params.zerosLike p; "mu", Params.zerosLike p ]
                        else
                            [ "nu", Params.zerosLike p ]
                    )
            Update =
                fun g state _ ->
                    let nu =
                        Params.map2 (fun v u -> decay * v + (1.0 - decay) * (u * u)) (field "nu" state) g

                    if centered then
                        let mu = Params.map2 (fun m u -> decay * m + (1.0 - decay) * u) (field "mu" state) g
                        let updates = Params.map3 (fun u v m -> u / (Tensor.sqrt (v - m * m) + eps)) g nu mu
                        updates, Group [ "nu", nu; "mu", mu ]
                    else
                        Params.map2 (fun u v -> u / (Tensor.sqrt v + eps)) g nu, Group [ "nu", nu ]
        }

    /// Adagrad's scaling as PyTorch: s ← s + u², output u / (√s + eps); s starts at `initialAccumulator`.
    static member scaleByRss(?initialAccumulator: float, ?eps: float) : Optimizer =
        let initial = defaultArg initialAccumulator 0.0
        let eps = defaultArg eps 1e-10

        {
            Init = fun p -> Group [ "sum", Params.fullLike initial p ]
            Update =
                fun g state _ ->
                    let sum = Params.map2 (fun s u -> s + u * u) (field "sum" state) g
                    Params.map2 (fun u s -> u / (Tensor.sqrt s + eps)) g sum, Group [ "sum", sum ]
        }

    /// Lion's scaling: output sign(β₁ · m + (1 - β₁) · u), then m ← β₂ · m + (1 - β₂) · u.
    static member scaleByLion(?beta1: float, ?beta2: float) : Optimizer =
        let b1 = defaultArg beta1 0.9
        let b2 = defaultArg beta2 0.99

        {
            Init = fun p -> Group [ "mu", Params.zerosLike p ]
            Update =
                fun g state _ ->
                    let mu = field "mu" state
                    let updates = Params.map2 (fun m u -> Tensor.sign (b1 * m + (1.0 - b1) * u)) mu g
                    let mu = Params.map2 (fun m u -> b2 * m + (1.0 - b2) * u) mu g
                    updates, Group [ "mu", mu ]
        }

    /// LAMB's layer-wise trust ratio: each tensor's update times ‖param‖ / ‖update‖ (1 where either norm is 0).
    static member scaleByTrustRatio() : Optimizer =
        let ratio (u: Tensor) (w: Tensor) =
            let wNorm = safeNorm (Tensor.sum (w * w))
            let uNorm = safeNorm (Tensor.sum (u * u))
            let one = scalarLike uNorm 1.0
            let positive (x: Tensor) = Tensor.gt (x, 0.0)
            let r = wNorm / Tensor.where (positive uNorm, uNorm, one)
            u * Tensor.where (positive wNorm, Tensor.where (positive uNorm, r, one), one)

        {
            Init = fun _ -> Params.empty
            Update = fun g state p -> Params.map2 ratio g p, state
        }
