namespace Functional

open Functional.Ops

/// Elementwise functions as `Tensor.f x` and `x.F()`.
[<AutoOpen>]
module ElementwiseMembers =
    type Tensor with
        /// eˣ.
        static member exp(x: Tensor) = Tensor(Elementwise.exp x.Value)
        /// Natural logarithm.
        static member log(x: Tensor) = Tensor(Elementwise.log x.Value)
        /// Hyperbolic tangent.
        static member tanh(x: Tensor) = Tensor(Elementwise.tanh x.Value)
        /// Logistic sigmoid 1 / (1 + e⁻ˣ).
        static member sigmoid(x: Tensor) = Tensor(Elementwise.sigmoid x.Value)
        /// Sine.
        static member sin(x: Tensor) = Tensor(Elementwise.sin x.Value)
        /// Cosine.
        static member cos(x: Tensor) = Tensor(Elementwise.cos x.Value)
        /// Square root.
        static member sqrt(x: Tensor) = Tensor(Elementwise.sqrt x.Value)
        /// max(x, 0).
        static member relu(x: Tensor) = Tensor(Elementwise.relu x.Value)

        /// Picks `a` where `cond` (a Bool tensor) is true and `b` elsewhere (broadcasting).
        static member where(cond: Tensor, a: Tensor, b: Tensor) =
            Tensor(Elementwise.where cond.Value a.Value b.Value)

        /// eˣ.
        member x.Exp() = Tensor.exp x
        /// Natural logarithm.
        member x.Log() = Tensor.log x
        /// Hyperbolic tangent.
        member x.Tanh() = Tensor.tanh x
        /// Logistic sigmoid.
        member x.Sigmoid() = Tensor.sigmoid x
        /// Sine.
        member x.Sin() = Tensor.sin x
        /// Cosine.
        member x.Cos() = Tensor.cos x
        /// Square root.
        member x.Sqrt() = Tensor.sqrt x
        /// max(x, 0).
        member x.Relu() = Tensor.relu x
