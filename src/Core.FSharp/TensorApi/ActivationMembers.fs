namespace Functional

open Functional.Ops

/// Activation functions as `Tensor.gelu x` and `x.Gelu()`, plus softmax and logSoftmax along a dimension.
[<AutoOpen>]
module ActivationMembers =
    type Tensor with
        /// The Gauss error function erf x = 2/√π ∫₀ˣ e^(-t²) dt.
        static member erf(x: Tensor) = Tensor(Activations.erf x.Value)

        /// x for x > 0, slope·x otherwise (slope defaults to 0.01).
        static member leakyRelu(x: Tensor, ?slope: float) =
            Tensor(Activations.leakyRelu (defaultArg slope 0.01) x.Value)

        /// x for x > 0, α (eˣ - 1) otherwise (α defaults to 1).
        static member elu(x: Tensor, ?alpha: float) =
            Tensor(Activations.elu (defaultArg alpha 1.0) x.Value)

        /// x Φ(x), Φ the standard normal CDF (the exact erf form, PyTorch's default).
        static member gelu(x: Tensor) = Tensor(Activations.gelu x.Value)

        /// log(1 + e^(βx)) / β, and x where βx > threshold (β defaults to 1, threshold to 20, like PyTorch).
        static member softplus(x: Tensor, ?beta: float, ?threshold: float) =
            Tensor(Activations.softplus (defaultArg beta 1.0) (defaultArg threshold 20.0) x.Value)

        /// exp x / Σ exp x along `dim` (default: the last), computed stably.
        static member softmax(x: Tensor, ?dim: int) =
            Tensor(Softmax.softmax (defaultArg dim -1) x.Value)

        /// log softmax along `dim` (default: the last): x - logsumexp x, computed stably.
        static member logSoftmax(x: Tensor, ?dim: int) =
            Tensor(Softmax.logSoftmax (defaultArg dim -1) x.Value)

        /// The Gauss error function.
        member x.Erf() = Tensor.erf x

        /// x for x > 0, slope·x otherwise (slope defaults to 0.01).
        member x.LeakyRelu(?slope: float) =
            Tensor.leakyRelu (x, defaultArg slope 0.01)

        /// x for x > 0, α (eˣ - 1) otherwise (α defaults to 1).
        member x.Elu(?alpha: float) = Tensor.elu (x, defaultArg alpha 1.0)
        /// x Φ(x) (exact GELU).
        member x.Gelu() = Tensor.gelu x

        /// log(1 + e^(βx)) / β (β defaults to 1, threshold to 20).
        member x.Softplus(?beta: float, ?threshold: float) =
            Tensor.softplus (x, defaultArg beta 1.0, defaultArg threshold 20.0)

        /// Softmax along `dim` (default: the last).
        member x.Softmax(?dim: int) = Tensor.softmax (x, defaultArg dim -1)

        /// Log softmax along `dim` (default: the last).
        member x.LogSoftmax(?dim: int) =
            Tensor.logSoftmax (x, defaultArg dim -1)
