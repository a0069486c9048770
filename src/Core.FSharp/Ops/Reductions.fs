/// Reductions over all elements or along a dimension: sum, mean, variance, std and logsumexp.
module internal Functional.Ops.Reductions

open Functional
open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic
open Functional.Ops.Validate

/// Normalizes a possibly negative dimension index against a rank, with a clear error.
let normalizeDim (op: string) (rank: int) (dim: int) : int = Validate.normalizeDim op rank dim

/// Applies `reduce d x` along the normalized dimension `d`; a rank-0 tensor is reduced as a one-element
/// vector (PyTorch treats it as having one dimension of size 1) and the result is a scalar again.
let alongDim (op: string) (dim: int) (reduce: int -> Value -> Value) (x: Value) : Value =
    let rank = (Value.shape x).Length
    let d = normalizeDim op rank dim

    if rank = 0 then
        Shape.reshape [||] (reduce 0 (Shape.reshape [| 1L |] x))
    else
        reduce d x

/// Applies a reduction along dimension 0 of the flattened value: a reduction over all elements (a scalar).
let overAll (reduce: int -> Value -> Value) (x: Value) : Value =
    Shape.reshape [||] (reduce 0 (Shape.reshape [| -1L |] x))

/// The shape of `x` with dimension `d` set to 1 (a keepDim result).
let keptShape (d: int) (x: Value) : int64[] =
    Value.shape x |> Array.mapi (fun i n -> if i = d then 1L else n)

/// A reduction result along `d` given back its reduced dimension (as size 1) if it was dropped.
let restoreDim (d: int) (keepDim: bool) (x: Value) (g: Value) : Value =
    if keepDim then g else Shape.reshape (keptShape d x) g

/// Sum of all elements (a scalar tensor).
let rec sum (x: Value) : Value =
    unary "sum" (fun r -> r.sum ()) (fun _ _ t -> sum t) (fun x _ g -> broadcastTo (Value.shape x) g) x

/// Sum along `dim`, keeping it as size 1 if `keepDim`.
let rec sumDim (dim: int) (keepDim: bool) (x: Value) : Value =
    let shape = Value.shape x
    let d = normalizeDim "sum" shape.Length dim

    let kept = shape |> Array.mapi (fun i n -> if i = d then 1L else n)

    let restore (g: Value) =
        if keepDim then g else Shape.reshape kept g

    unary
        "sum"
        (fun r -> r.sum ([| int64 d |], keepDim))
        (fun _ _ t -> sumDim d keepDim t)
        (fun x _ g -> broadcastTo (Value.shape x) (restore g))
        x

/// Mean of all elements.
let mean (x: Value) : Value =
    let n = Value.shape x |> Array.fold (*) 1L
    mulScalar (1.0 / float (max n 1L)) (sum x)

/// Mean along `dim`, keeping it as size 1 if `keepDim`.
let meanDim (dim: int) (keepDim: bool) (x: Value) : Value =
    x
    |> alongDim "mean" dim (fun d x ->
        let n = (Value.shape x)[d]

        if n = 0L then
            Errors.fail
                "mean"
                $"dimension {dim} of the input of shape {Errors.shapeText (Value.shape x)} is empty"
                "Take the mean over a non-empty dimension."

        mulScalar (1.0 / float n) (sumDim d keepDim x))

/// Variance along dimension `d` (already normalized) with divisor n - 1 if `unbiased`, else n.
let private varianceAlong (d: int) (unbiased: bool) (keepDim: bool) (x: Value) : Value =
    let n = (Value.shape x)[d]
    let divisor = if unbiased then n - 1L else n

    if divisor <= 0L then
        let kind = if unbiased then "unbiased " else ""

        Errors.fail
            "variance"
            $"the reduced dimension has {n} element(s), too few for the {kind}variance of the input of shape {Errors.shapeText (Value.shape x)}"
            (if unbiased then
                 "Pass unbiased = false, or reduce over more than one element."
             else
                 "Reduce over at least one element.")

    // ∂var/∂x = 2 (x - mean) / divisor
    let slope (x: Value) =
        mulScalar (2.0 / float divisor) (sub x (meanDim d true x))

    unary
        "variance"
        (fun r -> r.var (int64 d, unbiased, keepDim))
        (fun x _ t -> sumDim d keepDim (mul t (slope x)))
        (fun x _ g -> mul (restoreDim d keepDim x g) (slope x))
        x

/// Variance of all elements, or along `dim` (keeping it as size 1 if `keepDim`); divisor n - 1 if `unbiased`.
let variance (dim: int option) (unbiased: bool) (keepDim: bool) (x: Value) : Value =
    requireFloat "variance" x

    match dim with
    | None -> overAll (fun d x -> varianceAlong d unbiased false x) x
    | Some dim -> alongDim "variance" dim (fun d x -> varianceAlong d unbiased keepDim x) x

/// Standard deviation: the square root of `variance` (its derivative is infinite where the variance is 0).
let std (dim: int option) (unbiased: bool) (keepDim: bool) (x: Value) : Value =
    Elementwise.sqrt (variance dim unbiased keepDim x)

/// log Σ exp x along dimension `d` (already normalized), computed stably; derivative softmax(x).
let private logsumexpAlong (d: int) (keepDim: bool) (x: Value) : Value =
    if (Value.shape x)[d] = 0L then
        Errors.fail
            "logsumexp"
            $"the reduced dimension of the input of shape {Errors.shapeText (Value.shape x)} is empty"
            "Reduce over a non-empty dimension."

    let softmax (x: Value) (y: Value) =
        Elementwise.exp (sub x (restoreDim d keepDim x y))

    unary
        "logsumexp"
        (fun r -> r.logsumexp (int64 d, keepDim))
        (fun x y t -> sumDim d keepDim (mul t (softmax x y)))
        (fun x y g -> mul (restoreDim d keepDim x g) (softmax x y))
        x

/// log Σ exp x over all elements, or along `dim` (keeping it as size 1 if `keepDim`), computed stably.
let logsumexp (dim: int option) (keepDim: bool) (x: Value) : Value =
    requireFloat "logsumexp" x

    match dim with
    | None -> overAll (fun d x -> logsumexpAlong d false x) x
    | Some dim -> alongDim "logsumexp" dim (fun d x -> logsumexpAlong d keepDim x) x
