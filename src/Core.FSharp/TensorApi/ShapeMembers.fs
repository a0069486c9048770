namespace Functional

open Functional.Ad
open Functional.Ops

/// Shape operations as `Tensor.reshape (x, shape)` and `x.Reshape shape`.
[<AutoOpen>]
module ShapeMembers =
    type Tensor with
        /// The same elements in a new shape (one dimension may be -1).
        static member reshape(x: Tensor, shape: int seq) =
            Tensor(Shape.reshape (shape |> Seq.map int64 |> Array.ofSeq) x.Value)

        /// Swaps two dimensions.
        static member transpose(x: Tensor, dim0: int, dim1: int) =
            Tensor(Shape.transpose dim0 dim1 x.Value)

        /// Stacks same-shaped tensors along a new dimension.
        static member stack(xs: Tensor seq, ?dim: int) =
            Tensor(Shape.stack (defaultArg dim 0) (xs |> Seq.map (fun t -> t.Value) |> Array.ofSeq))

        /// The slice at `index` along `dim` (that dimension removed).
        static member select(x: Tensor, dim: int, index: int) =
            let rank = (Value.shape x.Value).Length
            let d = Reductions.normalizeDim "select" rank dim
            let n = (Value.shape x.Value)[d]
            let i = if index < 0 then int64 index + n else int64 index

            if i < 0L || i >= n then
                Errors.fail
                    "select"
                    $"index {index} is out of range for dimension {dim} of size {n}"
                    "Use an index in [-size, size - 1]."

            Tensor(Shape.select d i x.Value)

        /// The same elements in a new shape.
        member x.Reshape(shape: int seq) = Tensor.reshape (x, shape)
        /// Swaps two dimensions.
        member x.Transpose(dim0: int, dim1: int) = Tensor.transpose (x, dim0, dim1)
        /// Swaps the last two dimensions (matrix transpose).
        member x.T = Tensor.transpose (x, -2, -1)
