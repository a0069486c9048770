namespace Functional

open Functional.Ad
open Functional.Ops

/// Shape operations as `Tensor.reshape (x, shape)` and `x.Reshape shape`.
[<AutoOpen>]
module ShapeMembers =
    let private longs (xs: int seq) = xs |> Seq.map int64 |> Array.ofSeq

    let private values (xs: Tensor seq) =
        xs |> Seq.map (fun t -> t.Value) |> Array.ofSeq

    let private tensors (vs: Value[]) = vs |> Array.map (fun v -> Tensor v)

    type Tensor with
        /// The same elements in a new shape (one dimension may be -1).
        static member reshape(x: Tensor, shape: int seq) =
            Tensor(Shape.reshape (longs shape) x.Value)

        /// Merges dimensions startDim..endDim (inclusive; default all) into one.
        static member flatten(x: Tensor, ?startDim: int, ?endDim: int) =
            Tensor(Shape.flatten (defaultArg startDim 0) (defaultArg endDim -1) x.Value)

        /// Removes every dimension of size 1, or only `dim` when it has size 1.
        static member squeeze(x: Tensor, ?dim: int) = Tensor(Shape.squeeze dim x.Value)

        /// Inserts a dimension of size 1 at `dim` (in [-rank-1, rank]).
        static member unsqueeze(x: Tensor, dim: int) = Tensor(Shape.unsqueeze dim x.Value)

        /// Swaps two dimensions.
        static member transpose(x: Tensor, dim0: int, dim1: int) =
            Tensor(Shape.transpose dim0 dim1 x.Value)

        /// Reorders the dimensions: result dimension i is x's dimension dims[i].
        static member permute(x: Tensor, dims: int seq) =
            Tensor(Shape.permute (Array.ofSeq dims) x.Value)

        /// Broadcasts to `shape` without copying (as torch.expand): each of x's dimensions, aligned from the
        /// right, must equal its target or be 1; -1 keeps a size.
        static member expand(x: Tensor, shape: int seq) =
            Tensor(Shape.expand (longs shape) x.Value)

        /// Broadcasts to `shape` (the same as `expand`).
        static member broadcastTo(x: Tensor, shape: int seq) = Tensor.expand (x, shape)

        /// Reverses the order of elements along each of `dims`.
        static member flip(x: Tensor, dims: int seq) =
            Tensor(Shape.flip (Array.ofSeq dims) x.Value)

        /// Tiles x repeats[i] times along dimension i (as torch.repeat; extra leading counts add dimensions).
        static member repeat(x: Tensor, repeats: int seq) =
            Tensor(Shape.repeat (longs repeats) x.Value)

        /// Stacks same-shaped tensors along a new dimension.
        static member stack(xs: Tensor seq, ?dim: int) =
            Tensor(Shape.stack (defaultArg dim 0) (values xs))

        /// Joins tensors along an existing dimension (default 0); other sizes must agree.
        static member cat(xs: Tensor seq, ?dim: int) =
            Tensor(Concatenate.cat (defaultArg dim 0) (values xs))

        /// Splits x along `dim` (default 0) into consecutive pieces of the given sizes (summing to the size).
        static member split(x: Tensor, sizes: int seq, ?dim: int) =
            tensors (Concatenate.split (longs sizes) (defaultArg dim 0) x.Value)

        /// Splits x along `dim` (default 0) into pieces of `size` elements; the last may be smaller.
        static member split(x: Tensor, size: int, ?dim: int) =
            tensors (Concatenate.splitEvery (int64 size) (defaultArg dim 0) x.Value)

        /// Splits x along `dim` (default 0) into at most `chunks` equal pieces; the last may be smaller.
        static member chunk(x: Tensor, chunks: int, ?dim: int) =
            tensors (Concatenate.chunk chunks (defaultArg dim 0) x.Value)

        /// Constant padding as torch.nn.functional.pad: (before, after) pairs from the last dimension
        /// backwards, filled with `value` (default 0); negative amounts crop.
        static member pad(x: Tensor, pads: int seq, ?value: float) =
            Tensor(Slicing.pad (longs pads) (defaultArg value 0.0) x.Value)

        /// The slice at `index` along `dim` (that dimension removed; a negative index counts from the end).
        static member select(x: Tensor, dim: int, index: int) =
            let rank = (Value.shape x.Value).Length
            let d = Shape.dimIndex "select" rank dim
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

        /// Merges dimensions startDim..endDim (inclusive; default all) into one.
        member x.Flatten(?startDim: int, ?endDim: int) =
            Tensor.flatten (x, defaultArg startDim 0, defaultArg endDim -1)

        /// Removes every dimension of size 1, or only `dim` when it has size 1.
        member x.Squeeze(?dim: int) = Tensor(Shape.squeeze dim x.Value)
        /// Inserts a dimension of size 1 at `dim`.
        member x.Unsqueeze(dim: int) = Tensor.unsqueeze (x, dim)
        /// Swaps two dimensions.
        member x.Transpose(dim0: int, dim1: int) = Tensor.transpose (x, dim0, dim1)
        /// Swaps the last two dimensions (matrix transpose).
        member x.T = Tensor.transpose (x, -2, -1)
        /// Reorders the dimensions: result dimension i is dimension dims[i].
        member x.Permute(dims: int seq) = Tensor.permute (x, dims)
        /// Broadcasts to `shape` without copying (as torch.expand).
        member x.Expand(shape: int seq) = Tensor.expand (x, shape)
        /// Broadcasts to `shape` (the same as `Expand`).
        member x.BroadcastTo(shape: int seq) = Tensor.expand (x, shape)
        /// Reverses the order of elements along each of `dims`.
        member x.Flip(dims: int seq) = Tensor.flip (x, dims)
        /// Tiles the tensor repeats[i] times along dimension i (as torch.repeat).
        member x.Repeat(repeats: int seq) = Tensor.repeat (x, repeats)

        /// Splits along `dim` (default 0) into pieces of the given sizes.
        member x.Split(sizes: int seq, ?dim: int) =
            Tensor.split (x, sizes, defaultArg dim 0)

        /// Splits along `dim` (default 0) into pieces of `size` elements; the last may be smaller.
        member x.Split(size: int, ?dim: int) =
            Tensor.split (x, size, defaultArg dim 0)

        /// Splits along `dim` (default 0) into at most `chunks` equal pieces.
        member x.Chunk(chunks: int, ?dim: int) =
            Tensor.chunk (x, chunks, defaultArg dim 0)

        /// Constant padding as torch.nn.functional.pad (pairs from the last dimension backwards).
        member x.Pad(pads: int seq, ?value: float) =
            Tensor.pad (x, pads, defaultArg value 0.0)
