namespace Functional

open System
open Functional.Ad
open Functional.Raw

/// What a training run optimizes: a model, a loss of (predictions, targets), an optimizer and the metrics to report.
type TrainConfig =
    {
        /// The model (its `Apply` in training mode gets a fresh Rng key per step).
        Model: Model
        /// The loss: predictions -> targets -> scalar.
        Loss: Tensor -> Tensor -> Tensor
        /// The optimizer (an optax-style pure value).
        Optimizer: Optimizer
        /// Streaming metrics of (predictions, targets), reported per epoch.
        Metrics: Metric list
    }

/// Everything that changes during training; a plain immutable value (save it, restore it, compare it).
type TrainState =
    {
        /// Trainable parameters.
        Params: Params
        /// Non-trainable model state (e.g. batch-norm running statistics).
        ModelState: Params
        /// Optimizer state.
        OptState: Params
        /// Number of steps taken.
        Step: int
        /// The key from which step keys are folded (dropout, shuffling).
        Rng: Rng
    }

/// The result of one training step.
type StepResult =
    {
        /// The state after the step (unchanged when a non-finite step was skipped).
        State: TrainState
        /// The loss on the batch, before the update.
        Loss: float
        /// The model's predictions on the batch (no derivative), for metrics.
        Predictions: Tensor
        /// False when the loss or a gradient was NaN/Inf.
        Finite: bool
        /// The first parameter with a non-finite gradient, if any.
        NonFiniteParam: string option
    }

/// Raised when training meets a NaN or Inf; the message names the step and the first offending parameter.
type NonFiniteException(step: int, message: string) =
    inherit System.ArithmeticException(message)
    /// The step (1-based) at which the value appeared.
    member _.Step = step

/// One training step as a pure function: (state, batch) -> state'. The whole step runs in a native memory
/// scope, so only the new parameters, states and the predictions survive it.
module TrainStep =
    let private raws (trees: Params list) =
        trees |> Seq.collect Params.tensors |> Seq.map (fun t -> Value.raw t.Value)

    /// True when the sum of all elements of all tensors is finite (one reduction per tensor, one read), which
    /// proves every element finite: a NaN or an infinity makes the total NaN or infinite. False says only
    /// "check each tensor" (the total may also have overflowed).
    let internal surelyFinite (tensors: Tensor list) =
        let raws =
            tensors
            |> List.map (fun t -> Value.raw t.Value)
            |> List.filter (fun r -> r.NumberOfElements > 0L)

        List.isEmpty raws
        || Memory.Discarding(fun () ->
            // One sum per tensor in its own dtype (one kernel each; an overflow to ∞ only sends the caller
            // to its per-tensor check), converted to Float64 once, whatever the dtypes.
            let sameDtype = raws |> List.forall (fun r -> r.dtype = raws.Head.dtype)

            let sums =
                raws
                |> List.map (fun r ->
                    if sameDtype then
                        r.sum ()
                    else
                        r.sum().to_type TorchSharp.torch.ScalarType.Float64)
                |> Array.ofList

            let total =
                TorchSharp.torch.stack(sums).sum().to_type(TorchSharp.torch.ScalarType.Float64).item<float>()

            GC.KeepAlive raws
            not (Double.IsNaN total || Double.IsInfinity total))

    /// A fresh training state: parameters and model state from `Model.initWithState`, optimizer state from `Init`.
    let init (config: TrainConfig) (rng: Rng) (inputShape: int seq) : TrainState =
        let initKey, runKey = Rng.split rng
        let p, s = Model.initWithState initKey inputShape config.Model

        {
            Params = p
            ModelState = s
            OptState = Optimizer.init config.Optimizer p
            Step = 0
            Rng = runKey
        }

    /// One step on a batch (x, y): gradient of the loss w.r.t. the parameters, then an optimizer update.
    /// With `skipNonFinite` a step whose loss or gradients are not finite leaves the state unchanged.
    let run
        (config: TrainConfig)
        (skipNonFinite: bool)
        (state: TrainState)
        (x: Tensor, y: Tensor)
        : StepResult =
        let key = Rng.fold state.Step state.Rng

        Memory.Scoped(
            (fun () ->
                let mutable predictions = Unchecked.defaultof<Tensor>
                let mutable modelState = state.ModelState

                let loss (p: Params) =
                    let pred, ms = Model.applyTrain config.Model p state.ModelState key x
                    predictions <- Diff.stopGradient pred
                    modelState <- Params.map Diff.stopGradient ms
                    config.Loss pred y

                let value, grads = DiffParams.valueAndGrad loss state.Params
                let lossValue = value.ToDouble()

                let namedGrads = Params.toList grads

                let badParam =
                    if surelyFinite (List.map snd namedGrads) then
                        None
                    else
                        namedGrads
                        |> List.tryFind (fun (_, g) -> not (Tensor.allFinite g))
                        |> Option.map fst

                let finite =
                    not (System.Double.IsNaN lossValue || System.Double.IsInfinity lossValue)
                    && badParam.IsNone

                let next =
                    if not finite && skipNonFinite then
                        { state with Step = state.Step + 1 }
                    elif not finite then
                        state
                    else
                        let parameters, opt =
                            Optimizer.stepInScope config.Optimizer grads state.OptState state.Params

                        { state with
                            Params = parameters
                            ModelState = modelState
                            OptState = opt
                            Step = state.Step + 1
                        }

                {
                    State = next
                    Loss = lossValue
                    Predictions = predictions
                    Finite = finite
                    NonFiniteParam = badParam
                }),
            fun r ->
                Seq.append
                    [ Value.raw r.Predictions.Value ]
                    (raws [ r.State.Params; r.State.ModelState; r.State.OptState ])
        )
