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

    /// The loss as a number and whether every gradient is surely finite, from the loss and one sum per
    /// gradient (a kernel each, in the gradient's dtype): a NaN or an infinity in a gradient makes its sum
    /// non-finite; a non-finite sum says only "check each tensor" (the sum may also have overflowed). On the
    /// CPU each number is read on its own (cheaper than stacking them); on other devices they are stacked
    /// and copied out in one transfer.
    let internal lossAndFiniteness (loss: Tensor) (grads: Tensor list) : float * bool =
        let lossRaw = Value.raw loss.Value

        let raws =
            grads
            |> List.map (fun t -> Value.raw t.Value)
            |> List.filter (fun r -> r.NumberOfElements > 0L)

        let result =
            if lossRaw.NumberOfElements <> 1L then
                // ToDouble names the problem (the loss must be one number)
                loss.ToDouble(), true
            elif lossRaw.device_type = TorchSharp.DeviceType.CPU then
                let lossValue = RawNumber.read lossRaw

                let finite =
                    Memory.Discarding(fun () ->
                        raws |> List.forall (fun r -> Double.IsFinite(RawNumber.read (r.sum ()))))

                lossValue, finite
            else
                let values =
                    Memory.Discarding(fun () ->
                        let parts = lossRaw.reshape [||] :: (raws |> List.map (fun r -> r.sum ()))

                        let parts =
                            if parts |> List.forall (fun r -> r.dtype = lossRaw.dtype) then
                                parts
                            else
                                parts |> List.map (fun r -> r.to_type TorchSharp.torch.ScalarType.Float64)

                        TorchSharp.torch
                            .stack(parts)
                            .to_type(TorchSharp.torch.ScalarType.Float64)
                            .cpu()
                            .data<float>()
                            .ToArray())

                values[0], values |> Array.skip 1 |> Array.forall Double.IsFinite

        GC.KeepAlive raws
        GC.KeepAlive lossRaw
        result

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
                let lossValue, gradsFinite = lossAndFiniteness value (Params.tensors grads)

                let badParam =
                    if gradsFinite then
                        None
                    else
                        Params.toList grads
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
