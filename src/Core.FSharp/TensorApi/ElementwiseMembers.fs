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
        /// log(1 + x), accurate for small x.
        static member log1p(x: Tensor) = Tensor(Elementwise.log1p x.Value)
        /// eˣ - 1, accurate for small x.
        static member expm1(x: Tensor) = Tensor(Elementwise.expm1 x.Value)
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
        /// |x|; derivative sign x (0 at 0).
        static member abs(x: Tensor) = Tensor(Elementwise.abs x.Value)
        /// The sign of each element (-1, 0 or 1) in x's dtype; no derivative.
        static member sign(x: Tensor) = Tensor(Elementwise.sign x.Value)
        /// The largest integer ≤ x (same dtype); no derivative.
        static member floor(x: Tensor) = Tensor(Rounding.floor x.Value)
        /// The smallest integer ≥ x (same dtype); no derivative.
        static member ceil(x: Tensor) = Tensor(Rounding.ceil x.Value)
        /// The nearest integer, halves to even (same dtype); no derivative.
        static member round(x: Tensor) = Tensor(Rounding.round x.Value)

        /// x limited to [min, max] (either bound may be omitted); derivative 1 where min ≤ x ≤ max, else 0.
        static member clamp(x: Tensor, ?min: float, ?max: float) = Tensor(Extrema.clamp min max x.Value)

        /// max(a, b) elementwise with broadcasting; ties split the derivative ½/½ (like PyTorch).
        static member maximum(a: Tensor, b: Tensor) = Tensor(Extrema.maximum a.Value b.Value)

        /// min(a, b) elementwise with broadcasting; ties split the derivative ½/½ (like PyTorch).
        static member minimum(a: Tensor, b: Tensor) = Tensor(Extrema.minimum a.Value b.Value)

        /// Picks `a` where `cond` (a Bool tensor) is true and `b` elsewhere (broadcasting).
        static member where(cond: Tensor, a: Tensor, b: Tensor) =
            Tensor(Elementwise.where cond.Value a.Value b.Value)

        /// eˣ.
        member x.Exp() = Tensor.exp x
        /// Natural logarithm.
        member x.Log() = Tensor.log x
        /// log(1 + x).
        member x.Log1p() = Tensor.log1p x
        /// eˣ - 1.
        member x.Expm1() = Tensor.expm1 x
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
        /// |x|.
        member x.Abs() = Tensor.abs x
        /// The sign of each element (-1, 0 or 1).
        member x.Sign() = Tensor.sign x
        /// The largest integer ≤ x.
        member x.Floor() = Tensor.floor x
        /// The smallest integer ≥ x.
        member x.Ceil() = Tensor.ceil x
        /// The nearest integer, halves to even.
        member x.Round() = Tensor.round x
        /// x limited to [min, max] (either bound may be omitted).
        member x.Clamp(?min: float, ?max: float) = Tensor(Extrema.clamp min max x.Value)
        /// max(x, other) elementwise with broadcasting.
        member x.Maximum(other: Tensor) = Tensor.maximum (x, other)
        /// min(x, other) elementwise with broadcasting.
        member x.Minimum(other: Tensor) = Tensor.minimum (x, other)
