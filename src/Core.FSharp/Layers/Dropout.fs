namespace Functional

/// Dropout: in training, each element is zeroed with probability `rate` and the others are scaled by
/// 1 / (1 - rate) (PyTorch's inverted dropout); in evaluation it is the identity.
module Dropout =
    /// Fails unless 0 <= rate <= 1.
    let checkRate (rate: float) =
        if not (rate >= 0.0 && rate <= 1.0) then
            Errors.fail
                "dropout"
                $"the rate {rate} is outside [0, 1]"
                "Pass the probability of zeroing an element."

    /// x with each element zeroed with probability `rate` (mask drawn from `rng`) and the rest scaled by 1/(1 - rate).
    let apply (rate: float) (rng: Rng) (x: Tensor) : Tensor =
        checkRate rate

        if rate = 0.0 then
            x
        elif rate = 1.0 then
            x * 0.0
        else
            x * Tensor.bernoulli (rng, 1.0 - rate, x.Shape, x.Dtype) * (1.0 / (1.0 - rate))

    /// Dropout in training mode, the identity in evaluation mode.
    let inMode (rate: float) (mode: Mode) (x: Tensor) : Tensor =
        match mode with
        | Mode.Train rng -> apply rate rng x
        | Mode.Eval -> x

/// The layer constructors `Layers.dropout`.
[<AutoOpen>]
module DropoutLayers =
    type Layers with
        /// Dropout with probability `rate` (PyTorch's default 0.5) in training mode; the identity in evaluation.
        [<CompiledName("Dropout")>]
        static member dropout(?rate: float) =
            let rate = defaultArg rate 0.5
            Dropout.checkRate rate

            Model.createStateful
                $"Dropout({rate})"
                (fun _ shape -> Params.empty, Params.empty, shape)
                (fun _ s mode x -> Dropout.inMode rate mode x, s)
