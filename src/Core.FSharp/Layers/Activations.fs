namespace Functional

/// Activation functions as curried functions (`x |> Activation.relu`); the same as the Tensor members.
module Activation =
    /// max(x, 0).
    let relu (x: Tensor) = Tensor.relu x
    /// 1 / (1 + e^(-x)).
    let sigmoid (x: Tensor) = Tensor.sigmoid x
    /// tanh x.
    let tanh (x: Tensor) = Tensor.tanh x
    /// x for x > 0, slope·x otherwise.
    let leakyRelu (slope: float) (x: Tensor) = Tensor.leakyRelu (x, slope)
    /// x for x > 0, α (eˣ - 1) otherwise.
    let elu (alpha: float) (x: Tensor) = Tensor.elu (x, alpha)
    /// x Φ(x) (exact, erf form).
    let gelu (x: Tensor) = Tensor.gelu x
    /// log(1 + eˣ).
    let softplus (x: Tensor) = Tensor.softplus x
    /// e^x / Σ e^x along `dim`.
    let softmax (dim: int) (x: Tensor) = Tensor.softmax (x, dim)
    /// log softmax along `dim`.
    let logSoftmax (dim: int) (x: Tensor) = Tensor.logSoftmax (x, dim)

/// Activations as parameterless layers (shape-preserving).
[<AutoOpen>]
module ActivationLayers =
    let private keep (shape: int[]) = shape

    type Layers with
        /// max(x, 0) as a layer.
        static member relu = Model.ofFunction "ReLU" keep Tensor.relu
        /// The logistic sigmoid as a layer.
        static member sigmoid = Model.ofFunction "Sigmoid" keep Tensor.sigmoid
        /// tanh as a layer.
        static member tanh = Model.ofFunction "Tanh" keep Tensor.tanh
        /// GELU (exact erf form, PyTorch's default) as a layer.
        static member gelu = Model.ofFunction "GELU" keep Tensor.gelu
        /// softplus log(1 + eˣ) as a layer.
        static member softplus = Model.ofFunction "Softplus" keep Tensor.softplus
        /// The identity as a layer.
        static member identity = Model.ofFunction "Identity" keep id

        /// Leaky ReLU (negative slope default 0.01, as PyTorch) as a layer.
        [<CompiledName("LeakyRelu")>]
        static member leakyRelu(?slope: float) =
            let s = defaultArg slope 0.01
            Model.ofFunction $"LeakyReLU({s})" keep (fun x -> Tensor.leakyRelu (x, s))

        /// ELU (α default 1) as a layer.
        [<CompiledName("Elu")>]
        static member elu(?alpha: float) =
            let a = defaultArg alpha 1.0
            Model.ofFunction $"ELU({a})" keep (fun x -> Tensor.elu (x, a))

        /// Softmax along `dim` (default -1, the last) as a layer.
        [<CompiledName("Softmax")>]
        static member softmax(?dim: int) =
            let d = defaultArg dim -1
            Model.ofFunction "Softmax" keep (fun x -> Tensor.softmax (x, d))

        /// Log softmax along `dim` (default -1, the last) as a layer.
        [<CompiledName("LogSoftmax")>]
        static member logSoftmax(?dim: int) =
            let d = defaultArg dim -1
            Model.ofFunction "LogSoftmax" keep (fun x -> Tensor.logSoftmax (x, d))
