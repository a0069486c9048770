namespace Functional

open Functional.Ops

/// Reductions as `Tensor.sum x` and `x.Sum()`.
[<AutoOpen>]
module ReductionMembers =
    type Tensor with
        /// Sum of all elements, or along `dim` (keeping it as size 1 if `keepDim`).
        static member sum(x: Tensor, ?dim: int, ?keepDim: bool) =
            match dim with
            | None -> Tensor(Reductions.sum x.Value)
            | Some d -> Tensor(Reductions.sumDim d (defaultArg keepDim false) x.Value)

        /// Mean of all elements.
        static member mean(x: Tensor) = Tensor(Reductions.mean x.Value)

        /// Sum of all elements, or along `dim`.
        member x.Sum(?dim: int, ?keepDim: bool) =
            match dim with
            | None -> Tensor.sum x
            | Some d -> Tensor.sum (x, d, defaultArg keepDim false)

        /// Mean of all elements.
        member x.Mean() = Tensor.mean x
