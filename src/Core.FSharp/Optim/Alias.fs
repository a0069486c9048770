namespace Functional

/// Named optimizers, each a `Transform.chain` of building blocks. Defaults and update rules follow PyTorch
/// 1.13's torch.optim (sgd, adagrad, rmsprop, adam, adamW, amsgrad) or optax (lion, lamb). The learning
/// rate is a `Rate`: a number, a tensor (differentiable: hypergradients) or a schedule.
[<AbstractClass; Sealed>]
type Optim =
    static member private parts(parts: (bool * Optimizer) list) =
        Transform.chain
            [
                for used, part in parts do
                    if used then
                        part
            ]

    /// Stochastic gradient descent: g ← g + wd·θ; with momentum b ← μ·b + (1 - dampening)·g (b = g at first)
    /// and step b (or g + μ·b with `nesterov`); θ ← θ - lr·step (torch.optim.SGD).
    static member sgd
        (lr: Rate, ?momentum: float, ?dampening: float, ?nesterov: bool, ?weightDecay: float)
        : Optimizer =
        let momentum = defaultArg momentum 0.0
        let weightDecay = defaultArg weightDecay 0.0
        let nesterov = defaultArg nesterov false

        if nesterov && momentum <= 0.0 then
            Errors.fail
                "Optim.sgd"
                "nesterov without momentum"
                "Nesterov momentum needs momentum > 0 (as in PyTorch)."

        Optim.parts
            [
                weightDecay <> 0.0, Transform.addDecayedWeights weightDecay
                momentum <> 0.0, Transform.trace (momentum, nesterov, defaultArg dampening 0.0)
                true, Transform.scaleByLearningRate lr
            ]

    /// Adagrad: g ← g + wd·θ; s ← s + g²; θ ← θ - lr / (1 + (t - 1)·lrDecay) · g / (√s + eps) (torch.optim.Adagrad).
    static member adagrad
        (lr: Rate, ?lrDecay: float, ?weightDecay: float, ?initialAccumulator: float, ?eps: float)
        : Optimizer =
        let lrDecay = defaultArg lrDecay 0.0
        let weightDecay = defaultArg weightDecay 0.0

        Optim.parts
            [
                weightDecay <> 0.0, Transform.addDecayedWeights weightDecay
                true, Transform.scaleByRss (defaultArg initialAccumulator 0.0, defaultArg eps 1e-10)
                lrDecay <> 0.0, Transform.scaleBySchedule (Schedule.inverseTimeDecay (1.0, lrDecay))
                true, Transform.scaleByLearningRate lr
            ]

    /// RMSprop: g ← g + wd·θ; v ← α·v + (1 - α)·g²; step g / (√v + eps) (√(v - m²) with `centered`), through
    /// momentum b ← μ·b + step if μ > 0; θ ← θ - lr·step (torch.optim.RMSprop).
    static member rmsprop
        (lr: Rate, ?alpha: float, ?eps: float, ?weightDecay: float, ?momentum: float, ?centered: bool)
        : Optimizer =
        let weightDecay = defaultArg weightDecay 0.0
        let momentum = defaultArg momentum 0.0

        Optim.parts
            [
                weightDecay <> 0.0, Transform.addDecayedWeights weightDecay
                true,
                Transform.scaleByRms (defaultArg alpha 0.99, defaultArg eps 1e-8, defaultArg centered false)
                momentum <> 0.0, Transform.trace momentum
                true, Transform.scaleByLearningRate lr
            ]

    /// Adam with its weight decay where `decay` says, as a chain of transforms plus (without amsgrad) the
    /// fused step that `Optimizer.step` and `TrainStep.run` take when nothing is differentiated.
    static member private adamFamily
        (lr: Rate, beta1: float option, beta2: float option, eps: float option, amsgrad: bool option, decay)
        : Optimizer =
        let b1, b2, eps = defaultArg beta1 0.9, defaultArg beta2 0.999, defaultArg eps 1e-8
        let amsgrad = defaultArg amsgrad false
        let adam = Transform.scaleByAdam (b1, b2, eps, 0.0, amsgrad)
        let scaling = Transform.scaleByLearningRate lr

        let generic =
            Optim.parts
                [
                    match decay with
                    | FusedMoments.NoDecay -> true, adam
                    | FusedMoments.Coupled wd -> yield! [ true, Transform.addDecayedWeights wd; true, adam ]
                    | FusedMoments.Decoupled wd -> yield! [ true, adam; true, Transform.addDecayedWeights wd ]
                    true, scaling
                ]

        if amsgrad then
            generic
        else
            FusedSteps.attach (FusedMoments.adamStep b1 b2 eps decay lr scaling) generic

    /// Adam: g ← g + wd·θ (L2, coupled); θ ← θ - lr · m̂ / (√v̂ + eps) with bias-corrected moments
    /// (torch.optim.Adam; `amsgrad` uses the running maximum of v).
    static member adam
        (lr: Rate, ?beta1: float, ?beta2: float, ?eps: float, ?weightDecay: float, ?amsgrad: bool)
        : Optimizer =
        let decay =
            match defaultArg weightDecay 0.0 with
            | 0.0 -> FusedMoments.NoDecay
            | wd -> FusedMoments.Coupled wd

        Optim.adamFamily (lr, beta1, beta2, eps, amsgrad, decay)

    /// AdamW: Adam with decoupled weight decay, θ ← θ - lr · (m̂ / (√v̂ + eps) + wd·θ), default wd 1e-2
    /// (torch.optim.AdamW).
    static member adamW
        (lr: Rate, ?beta1: float, ?beta2: float, ?eps: float, ?weightDecay: float, ?amsgrad: bool)
        : Optimizer =
        let decay =
            match defaultArg weightDecay 1e-2 with
            | 0.0 -> FusedMoments.NoDecay
            | wd -> FusedMoments.Decoupled wd

        Optim.adamFamily (lr, beta1, beta2, eps, amsgrad, decay)

    /// AMSGrad: Adam with the running maximum of the second moment (torch.optim.Adam with amsgrad=True).
    static member amsgrad
        (lr: Rate, ?beta1: float, ?beta2: float, ?eps: float, ?weightDecay: float)
        : Optimizer =
        Optim.adam (
            lr,
            defaultArg beta1 0.9,
            defaultArg beta2 0.999,
            defaultArg eps 1e-8,
            defaultArg weightDecay 0.0,
            true
        )

    /// Lion (Chen et al. 2023, optax.lion): θ ← θ - lr · (sign(β₁·m + (1 - β₁)·g) + wd·θ), then
    /// m ← β₂·m + (1 - β₂)·g; defaults β = (0.9, 0.99), wd = 1e-3.
    static member lion(lr: Rate, ?beta1: float, ?beta2: float, ?weightDecay: float) : Optimizer =
        let weightDecay = defaultArg weightDecay 1e-3

        Optim.parts
            [
                true, Transform.scaleByLion (defaultArg beta1 0.9, defaultArg beta2 0.99)
                weightDecay <> 0.0, Transform.addDecayedWeights weightDecay
                true, Transform.scaleByLearningRate lr
            ]

    /// LAMB (You et al. 2020, optax.lamb): the Adam step plus wd·θ, scaled per tensor by ‖θ‖ / ‖step‖, times
    /// -lr; defaults β = (0.9, 0.999), eps = 1e-6, wd = 0.
    static member lamb(lr: Rate, ?beta1: float, ?beta2: float, ?eps: float, ?weightDecay: float) : Optimizer =
        let weightDecay = defaultArg weightDecay 0.0

        Optim.parts
            [
                true,
                Transform.scaleByAdam (defaultArg beta1 0.9, defaultArg beta2 0.999, defaultArg eps 1e-6)
                weightDecay <> 0.0, Transform.addDecayedWeights weightDecay
                true, Transform.scaleByTrustRatio ()
                true, Transform.scaleByLearningRate lr
            ]
