namespace Functional

open Functional.Ops

/// Trigonometric and hyperbolic functions as `Tensor.tan x` and `x.Tan()`.
[<AutoOpen>]
module TrigonometricMembers =
    type Tensor with
        /// Tangent; derivative 1 + tan² x.
        static member tan(x: Tensor) = Tensor(Trigonometric.tan x.Value)
        /// Arcsine (x in [-1, 1]); derivative 1 / √(1 - x²).
        static member asin(x: Tensor) = Tensor(Trigonometric.asin x.Value)
        /// Arccosine (x in [-1, 1]); derivative -1 / √(1 - x²).
        static member acos(x: Tensor) = Tensor(Trigonometric.acos x.Value)
        /// Arctangent; derivative 1 / (1 + x²).
        static member atan(x: Tensor) = Tensor(Trigonometric.atan x.Value)
        /// Hyperbolic sine.
        static member sinh(x: Tensor) = Tensor(Trigonometric.sinh x.Value)
        /// Hyperbolic cosine.
        static member cosh(x: Tensor) = Tensor(Trigonometric.cosh x.Value)

        /// The angle of the point (b, a) in (-π, π], elementwise with broadcasting: atan2(a, b).
        static member atan2(a: Tensor, b: Tensor) =
            Tensor(Trigonometric.atan2 a.Value b.Value)

        /// Tangent.
        member x.Tan() = Tensor.tan x
        /// Arcsine.
        member x.Asin() = Tensor.asin x
        /// Arccosine.
        member x.Acos() = Tensor.acos x
        /// Arctangent.
        member x.Atan() = Tensor.atan x
        /// Hyperbolic sine.
        member x.Sinh() = Tensor.sinh x
        /// Hyperbolic cosine.
        member x.Cosh() = Tensor.cosh x
        /// atan2(x, other): the angle of the point (other, x).
        member x.Atan2(other: Tensor) = Tensor.atan2 (x, other)
