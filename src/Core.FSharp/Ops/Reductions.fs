/// Reductions: sum and mean over all elements or along dimensions.
module internal Functional.Ops.Reductions

open Functional
open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic

/// Normalizes a possibly negative dimension index against a rank, with a clear error.
let normalizeDim (op: string) (rank: int) (dim: int) : int =
    let d = if dim < 0 then dim + rank else dim

    if d < 0 || d >= max rank 1 then
        Errors.fail
            op
            $"dimension {dim} is out of range for a tensor of rank {rank}"
            $"Use a dimension in [{-rank}, {rank - 1}]."

    d

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
