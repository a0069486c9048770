namespace Functional

open Functional.Ops

/// Linear algebra as `Tensor.matmul (a, b)` and `a.Matmul b`.
[<AutoOpen>]
module LinearAlgebraMembers =
    type Tensor with
        /// Matrix product as torch.matmul: [.., n, k] x [.., k, m] -> [.., n, m] with broadcasting batch
        /// dimensions; a 1-D operand is a row (left) or column (right) vector; two vectors give a·b.
        static member matmul(a: Tensor, b: Tensor) =
            Tensor(LinearAlgebra.matmul a.Value b.Value)

        /// Inner product a·b = Σᵢ aᵢbᵢ of two vectors of equal length (a 0-dimensional tensor).
        static member dot(a: Tensor, b: Tensor) =
            Tensor(LinearAlgebra.dot a.Value b.Value)

        /// Outer product of two vectors: result[i, j] = a[i] b[j].
        static member outer(a: Tensor, b: Tensor) =
            Tensor(LinearAlgebra.outer a.Value b.Value)

        /// X = A⁻¹B, the solution of A X = B: A is [.., n, n], B is [.., n, k] or a vector [n]; batch
        /// dimensions broadcast. A singular A raises an error.
        static member solve(a: Tensor, b: Tensor) =
            Tensor(LinearAlgebra.solve a.Value b.Value)

        /// A⁻¹ for a (batch of) square matrices [.., n, n]; a singular matrix raises an error.
        static member inverse(a: Tensor) = Tensor(LinearAlgebra.inverse a.Value)

        /// det A for a (batch of) square matrices [.., n, n] (derivative det A · A⁻ᵀ needs an invertible A).
        static member det(a: Tensor) = Tensor(LinearAlgebra.det a.Value)

        /// Matrix product (as torch.matmul).
        member a.Matmul(b: Tensor) = Tensor.matmul (a, b)
        /// Inner product with another vector.
        member a.Dot(b: Tensor) = Tensor.dot (a, b)
        /// Outer product with another vector.
        member a.Outer(b: Tensor) = Tensor.outer (a, b)
        /// X with A X = B, where A is this tensor.
        member a.Solve(b: Tensor) = Tensor.solve (a, b)
        /// The matrix inverse.
        member a.Inverse() = Tensor.inverse a
        /// The determinant.
        member a.Det() = Tensor.det a
