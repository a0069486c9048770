namespace Functional

open Functional.Ops

/// Slicing and indexing: F# slicing syntax `x.[0, 1..3]`, `x.[*, 2]`, `x.[1..]` (inclusive bounds),
/// integer indexing `x.[i, j]`, narrow, and index tensors (indexSelect, indexAdd, gather, scatterAdd).
[<AutoOpen>]
module IndexingMembers =
    let private at (i: int) = Slicing.At(int64 i)

    let private range (s: int option) (e: int option) =
        Slicing.Range(Option.map int64 s, Option.map int64 e)

    let private sliced (x: Tensor) (specs: Slicing.SliceSpec list) =
        Tensor(Slicing.slice (Array.ofList specs) x.Value)

    type Tensor with
        /// The elements start .. start + length - 1 along `dim` (the dimension keeps its place).
        static member narrow(x: Tensor, dim: int, start: int, length: int) =
            Tensor(Slicing.narrow dim (int64 start) (int64 length) x.Value)

        /// The slices of x at `indices` (a 1-D Int64 tensor) along `dim`: result[.., k, ..] = x[.., indices[k], ..].
        static member indexSelect(x: Tensor, dim: int, indices: Tensor) =
            Tensor(Indexing.indexSelect dim indices.Value x.Value)

        /// x with src's slices added along `dim` at `indices` (1-D Int64): result[.., indices[k], ..] += src[.., k, ..].
        static member indexAdd(x: Tensor, dim: int, indices: Tensor, src: Tensor) =
            Tensor(Indexing.indexAdd dim indices.Value src.Value x.Value)

        /// Picks along `dim` by an Int64 index tensor of the same rank: for dim = 1, result[i, j] = x[i, indices[i, j]].
        static member gather(x: Tensor, dim: int, indices: Tensor) =
            Tensor(Indexing.gather dim indices.Value x.Value)

        /// x plus src scattered along `dim` by an Int64 index tensor: for dim = 1, result[i, indices[i, j]] += src[i, j].
        static member scatterAdd(x: Tensor, dim: int, indices: Tensor, src: Tensor) =
            Tensor(Indexing.scatterAdd dim indices.Value src.Value x.Value)

        /// Rows of x chosen by an Int64 index tensor of any shape: shape indices.Shape @ x.Shape[1..].
        static member index(x: Tensor, indices: Tensor) =
            Tensor(Indexing.index indices.Value x.Value)

        /// The elements start .. start + length - 1 along `dim`.
        member x.Narrow(dim: int, start: int, length: int) = Tensor.narrow (x, dim, start, length)
        /// The slices at `indices` (1-D Int64) along `dim`.
        member x.IndexSelect(dim: int, indices: Tensor) = Tensor.indexSelect (x, dim, indices)
        /// Adds src's slices along `dim` at `indices`.
        member x.IndexAdd(dim: int, indices: Tensor, src: Tensor) = Tensor.indexAdd (x, dim, indices, src)
        /// Picks along `dim` by an index tensor of the same rank.
        member x.Gather(dim: int, indices: Tensor) = Tensor.gather (x, dim, indices)

        /// Adds src scattered along `dim` by an index tensor.
        member x.ScatterAdd(dim: int, indices: Tensor, src: Tensor) =
            Tensor.scatterAdd (x, dim, indices, src)

        /// Rows chosen by an Int64 index tensor (`x.[idx]`): shape indices.Shape @ x.Shape[1..].
        member x.Item
            with get (indices: Tensor) = Tensor.index (x, indices)

        /// The element or sub-tensor at 1 index (negative indices count from the end).
        member x.Item
            with get (i0: int) = sliced x [ at i0 ]

        /// The element or sub-tensor at 2 indexes (negative indices count from the end).
        member x.Item
            with get (i0: int, i1: int) = sliced x [ at i0; at i1 ]

        /// The element or sub-tensor at 3 indexes (negative indices count from the end).
        member x.Item
            with get (i0: int, i1: int, i2: int) = sliced x [ at i0; at i1; at i2 ]

        /// The element or sub-tensor at 4 indexes (negative indices count from the end).
        member x.Item
            with get (i0: int, i1: int, i2: int, i3: int) = sliced x [ at i0; at i1; at i2; at i3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(s0: int option, e0: int option) = sliced x [ range s0 e0 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(i0: int, s1: int option, e1: int option) = sliced x [ at i0; range s1 e1 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(s0: int option, e0: int option, i1: int) = sliced x [ range s0 e0; at i1 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(s0: int option, e0: int option, s1: int option, e1: int option) =
            sliced x [ range s0 e0; range s1 e1 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(i0: int, i1: int, s2: int option, e2: int option) =
            sliced x [ at i0; at i1; range s2 e2 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(i0: int, s1: int option, e1: int option, i2: int) =
            sliced x [ at i0; range s1 e1; at i2 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(i0: int, s1: int option, e1: int option, s2: int option, e2: int option) =
            sliced x [ at i0; range s1 e1; range s2 e2 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(s0: int option, e0: int option, i1: int, i2: int) =
            sliced x [ range s0 e0; at i1; at i2 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(s0: int option, e0: int option, i1: int, s2: int option, e2: int option) =
            sliced x [ range s0 e0; at i1; range s2 e2 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(s0: int option, e0: int option, s1: int option, e1: int option, i2: int) =
            sliced x [ range s0 e0; range s1 e1; at i2 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice
            (s0: int option, e0: int option, s1: int option, e1: int option, s2: int option, e2: int option)
            =
            sliced x [ range s0 e0; range s1 e1; range s2 e2 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(i0: int, i1: int, i2: int, s3: int option, e3: int option) =
            sliced x [ at i0; at i1; at i2; range s3 e3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(i0: int, i1: int, s2: int option, e2: int option, i3: int) =
            sliced x [ at i0; at i1; range s2 e2; at i3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(i0: int, i1: int, s2: int option, e2: int option, s3: int option, e3: int option) =
            sliced x [ at i0; at i1; range s2 e2; range s3 e3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(i0: int, s1: int option, e1: int option, i2: int, i3: int) =
            sliced x [ at i0; range s1 e1; at i2; at i3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(i0: int, s1: int option, e1: int option, i2: int, s3: int option, e3: int option) =
            sliced x [ at i0; range s1 e1; at i2; range s3 e3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(i0: int, s1: int option, e1: int option, s2: int option, e2: int option, i3: int) =
            sliced x [ at i0; range s1 e1; range s2 e2; at i3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice
            (
                i0: int,
                s1: int option,
                e1: int option,
                s2: int option,
                e2: int option,
                s3: int option,
                e3: int option
            ) =
            sliced x [ at i0; range s1 e1; range s2 e2; range s3 e3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(s0: int option, e0: int option, i1: int, i2: int, i3: int) =
            sliced x [ range s0 e0; at i1; at i2; at i3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(s0: int option, e0: int option, i1: int, i2: int, s3: int option, e3: int option) =
            sliced x [ range s0 e0; at i1; at i2; range s3 e3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(s0: int option, e0: int option, i1: int, s2: int option, e2: int option, i3: int) =
            sliced x [ range s0 e0; at i1; range s2 e2; at i3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice
            (
                s0: int option,
                e0: int option,
                i1: int,
                s2: int option,
                e2: int option,
                s3: int option,
                e3: int option
            ) =
            sliced x [ range s0 e0; at i1; range s2 e2; range s3 e3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice(s0: int option, e0: int option, s1: int option, e1: int option, i2: int, i3: int) =
            sliced x [ range s0 e0; range s1 e1; at i2; at i3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice
            (
                s0: int option,
                e0: int option,
                s1: int option,
                e1: int option,
                i2: int,
                s3: int option,
                e3: int option
            ) =
            sliced x [ range s0 e0; range s1 e1; at i2; range s3 e3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice
            (
                s0: int option,
                e0: int option,
                s1: int option,
                e1: int option,
                s2: int option,
                e2: int option,
                i3: int
            ) =
            sliced x [ range s0 e0; range s1 e1; range s2 e2; at i3 ]

        /// F# slicing (inclusive ranges clamped like arrays; a single index removes its dimension).
        member x.GetSlice
            (
                s0: int option,
                e0: int option,
                s1: int option,
                e1: int option,
                s2: int option,
                e2: int option,
                s3: int option,
                e3: int option
            ) =
            sliced x [ range s0 e0; range s1 e1; range s2 e2; range s3 e3 ]
