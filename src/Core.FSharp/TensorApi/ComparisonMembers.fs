namespace Functional

open Functional.Ad
open Functional.Ops

/// Elementwise comparisons with broadcasting as `Tensor.lt (a, b)` and `a.Lt b`: Bool tensors with no
/// derivative, against a tensor or a number; plus the finiteness checks `isFinite` and `allFinite`.
[<AutoOpen>]
module ComparisonMembers =
    type Tensor with
        /// a = b elementwise (Bool, broadcasting).
        [<CompiledName("Eq")>]
        static member eq(a: Tensor, b: Tensor) = Tensor(Comparison.eq a.Value b.Value)

        /// a = b elementwise (Bool).
        [<CompiledName("Eq")>]
        static member eq(a: Tensor, b: float) = Tensor(Comparison.eqScalar b a.Value)

        /// a ≠ b elementwise (Bool, broadcasting).
        [<CompiledName("Ne")>]
        static member ne(a: Tensor, b: Tensor) = Tensor(Comparison.ne a.Value b.Value)

        /// a ≠ b elementwise (Bool).
        [<CompiledName("Ne")>]
        static member ne(a: Tensor, b: float) = Tensor(Comparison.neScalar b a.Value)

        /// a < b elementwise (Bool, broadcasting).
        [<CompiledName("Lt")>]
        static member lt(a: Tensor, b: Tensor) = Tensor(Comparison.lt a.Value b.Value)

        /// a < b elementwise (Bool).
        [<CompiledName("Lt")>]
        static member lt(a: Tensor, b: float) = Tensor(Comparison.ltScalar b a.Value)

        /// a ≤ b elementwise (Bool, broadcasting).
        [<CompiledName("Le")>]
        static member le(a: Tensor, b: Tensor) = Tensor(Comparison.le a.Value b.Value)

        /// a ≤ b elementwise (Bool).
        [<CompiledName("Le")>]
        static member le(a: Tensor, b: float) = Tensor(Comparison.leScalar b a.Value)

        /// a > b elementwise (Bool, broadcasting).
        [<CompiledName("Gt")>]
        static member gt(a: Tensor, b: Tensor) = Tensor(Comparison.gt a.Value b.Value)

        /// a > b elementwise (Bool).
        [<CompiledName("Gt")>]
        static member gt(a: Tensor, b: float) = Tensor(Comparison.gtScalar b a.Value)

        /// a ≥ b elementwise (Bool, broadcasting).
        [<CompiledName("Ge")>]
        static member ge(a: Tensor, b: Tensor) = Tensor(Comparison.ge a.Value b.Value)

        /// a ≥ b elementwise (Bool).
        [<CompiledName("Ge")>]
        static member ge(a: Tensor, b: float) = Tensor(Comparison.geScalar b a.Value)

        /// True where x is finite, false at NaN and ±Inf (Bool); integer and Bool elements are always finite.
        [<CompiledName("IsFinite")>]
        static member isFinite(x: Tensor) = Tensor(Comparison.isFinite x.Value)

        /// True when no element of x is NaN or ±Inf (also for an empty tensor): the check for a diverged
        /// loss or gradient.
        [<CompiledName("AllFinite")>]
        static member allFinite(x: Tensor) : bool =
            use finite = (Value.raw x.Value).isfinite()
            use all = finite.all ()
            all.item<bool>()

        /// x = other elementwise (Bool).
        member x.Eq(other: Tensor) = Tensor.eq (x, other)
        /// x = other elementwise (Bool).
        member x.Eq(other: float) = Tensor.eq (x, other)
        /// x ≠ other elementwise (Bool).
        member x.Ne(other: Tensor) = Tensor.ne (x, other)
        /// x ≠ other elementwise (Bool).
        member x.Ne(other: float) = Tensor.ne (x, other)
        /// x < other elementwise (Bool).
        member x.Lt(other: Tensor) = Tensor.lt (x, other)
        /// x < other elementwise (Bool).
        member x.Lt(other: float) = Tensor.lt (x, other)
        /// x ≤ other elementwise (Bool).
        member x.Le(other: Tensor) = Tensor.le (x, other)
        /// x ≤ other elementwise (Bool).
        member x.Le(other: float) = Tensor.le (x, other)
        /// x > other elementwise (Bool).
        member x.Gt(other: Tensor) = Tensor.gt (x, other)
        /// x > other elementwise (Bool).
        member x.Gt(other: float) = Tensor.gt (x, other)
        /// x ≥ other elementwise (Bool).
        member x.Ge(other: Tensor) = Tensor.ge (x, other)
        /// x ≥ other elementwise (Bool).
        member x.Ge(other: float) = Tensor.ge (x, other)
        /// True where this tensor is finite (Bool).
        member x.IsFinite() = Tensor.isFinite x
        /// True when no element is NaN or ±Inf.
        member x.AllFinite() = Tensor.allFinite x
