namespace Functional

open Functional.Ops

/// Reductions as `Tensor.sum x` and `x.Sum()`: over all elements, or along `dim` (negative counts from
/// the end) keeping it as size 1 if `keepDim`.
[<AutoOpen>]
module ReductionMembers =
    type Tensor with
        /// Sum of all elements, or along `dim` (keeping it as size 1 if `keepDim`).
        static member sum(x: Tensor, ?dim: int, ?keepDim: bool) =
            match dim with
            | None -> Tensor(Reductions.sum x.Value)
            | Some d -> Tensor(Reductions.sumDim d (defaultArg keepDim false) x.Value)

        /// Mean of all elements, or along `dim` (keeping it as size 1 if `keepDim`).
        static member mean(x: Tensor, ?dim: int, ?keepDim: bool) =
            match dim with
            | None -> Tensor(Reductions.mean x.Value)
            | Some d -> Tensor(Reductions.meanDim d (defaultArg keepDim false) x.Value)

        /// Variance Σ(x - mean)² / (n - 1) (or / n if `unbiased` = false), of all elements or along `dim`.
        static member variance(x: Tensor, ?dim: int, ?keepDim: bool, ?unbiased: bool) =
            Tensor(Reductions.variance dim (defaultArg unbiased true) (defaultArg keepDim false) x.Value)

        /// Standard deviation √variance (unbiased by default), of all elements or along `dim`; its
        /// derivative is infinite where the variance is 0.
        static member std(x: Tensor, ?dim: int, ?keepDim: bool, ?unbiased: bool) =
            Tensor(Reductions.std dim (defaultArg unbiased true) (defaultArg keepDim false) x.Value)

        /// log Σ exp x of all elements or along `dim`, computed stably; derivative softmax x.
        static member logsumexp(x: Tensor, ?dim: int, ?keepDim: bool) =
            Tensor(Reductions.logsumexp dim (defaultArg keepDim false) x.Value)

        /// Product of all elements or along `dim`; the derivative ∏_{k≠j} xₖ stays correct at zeros.
        static member prod(x: Tensor, ?dim: int, ?keepDim: bool) =
            Tensor(Product.prod dim (defaultArg keepDim false) x.Value)

        /// Largest element, or the largest along `dim`; the derivative goes to the maximal element
        /// (shared evenly among ties over all elements; the returned index along `dim`).
        static member max(x: Tensor, ?dim: int, ?keepDim: bool) =
            Tensor(MaxMin.extremum MaxMin.Largest dim (defaultArg keepDim false) x.Value)

        /// Smallest element, or the smallest along `dim`; the derivative goes to the minimal element.
        static member min(x: Tensor, ?dim: int, ?keepDim: bool) =
            Tensor(MaxMin.extremum MaxMin.Smallest dim (defaultArg keepDim false) x.Value)

        /// Index of the largest element (of the flattened tensor, or along `dim`) as Int64; no derivative.
        static member argmax(x: Tensor, ?dim: int, ?keepDim: bool) =
            Tensor(MaxMin.argExtremum MaxMin.Largest dim (defaultArg keepDim false) x.Value)

        /// Index of the smallest element (of the flattened tensor, or along `dim`) as Int64; no derivative.
        static member argmin(x: Tensor, ?dim: int, ?keepDim: bool) =
            Tensor(MaxMin.argExtremum MaxMin.Smallest dim (defaultArg keepDim false) x.Value)

        /// Sum of all elements, or along `dim`.
        member x.Sum(?dim: int, ?keepDim: bool) =
            match dim with
            | None -> Tensor.sum x
            | Some d -> Tensor.sum (x, d, defaultArg keepDim false)

        /// Mean of all elements, or along `dim`.
        member x.Mean(?dim: int, ?keepDim: bool) =
            match dim with
            | None -> Tensor.mean x
            | Some d -> Tensor.mean (x, d, defaultArg keepDim false)

        /// Variance (unbiased by default), of all elements or along `dim`.
        member x.Variance(?dim: int, ?keepDim: bool, ?unbiased: bool) =
            Tensor(Reductions.variance dim (defaultArg unbiased true) (defaultArg keepDim false) x.Value)

        /// Standard deviation (unbiased by default), of all elements or along `dim`.
        member x.Std(?dim: int, ?keepDim: bool, ?unbiased: bool) =
            Tensor(Reductions.std dim (defaultArg unbiased true) (defaultArg keepDim false) x.Value)

        /// log Σ exp x of all elements or along `dim`.
        member x.Logsumexp(?dim: int, ?keepDim: bool) =
            Tensor(Reductions.logsumexp dim (defaultArg keepDim false) x.Value)

        /// Product of all elements or along `dim`.
        member x.Prod(?dim: int, ?keepDim: bool) =
            Tensor(Product.prod dim (defaultArg keepDim false) x.Value)

        /// Largest element, or the largest along `dim`.
        member x.Max(?dim: int, ?keepDim: bool) =
            Tensor(MaxMin.extremum MaxMin.Largest dim (defaultArg keepDim false) x.Value)

        /// Smallest element, or the smallest along `dim`.
        member x.Min(?dim: int, ?keepDim: bool) =
            Tensor(MaxMin.extremum MaxMin.Smallest dim (defaultArg keepDim false) x.Value)

        /// Index of the largest element (flattened, or along `dim`) as Int64.
        member x.Argmax(?dim: int, ?keepDim: bool) =
            Tensor(MaxMin.argExtremum MaxMin.Largest dim (defaultArg keepDim false) x.Value)

        /// Index of the smallest element (flattened, or along `dim`) as Int64.
        member x.Argmin(?dim: int, ?keepDim: bool) =
            Tensor(MaxMin.argExtremum MaxMin.Smallest dim (defaultArg keepDim false) x.Value)
