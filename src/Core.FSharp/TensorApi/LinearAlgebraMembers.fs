namespace Functional

open Functional.Ops

/// Linear algebra as `Tensor.matmul (a, b)` and `a.Matmul b`.
[<AutoOpen>]
module LinearAlgebraMembers =
    type Tensor with
        /// Matrix product with broadcasting batch dimensions: [.., n, k] x [.., k, m] -> [.., n, m].
        static member matmul(a: Tensor, b: Tensor) =
            Tensor(LinearAlgebra.matmul a.Value b.Value)

        /// Matrix product.
        member a.Matmul(b: Tensor) = Tensor.matmul (a, b)
