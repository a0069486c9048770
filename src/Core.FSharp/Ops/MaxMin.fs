/// Maximum and minimum reductions (values, with derivatives) and argmax/argmin (Int64 indices, none).
module internal Functional.Ops.MaxMin

open Functional
open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic
open Functional.Ops.Validate
open Functional.Ops.Reductions

/// Which extremum a reduction takes.
type internal Extremum =
    | Largest
    | Smallest

let private name e = if e = Largest then "max" else "min"

/// The extremum of all elements; the derivative is shared evenly among the elements that attain it
/// (PyTorch's convention for ties).
let private overAllElements (e: Extremum) (x: Value) : Value =
    let weights (x: Value) (y: Value) =
        constant
            (name e)
            (fun r ->
                use hit = r[0].eq r[1]
                use w = hit.to_type r[0].dtype
                use n = w.sum ()
                w.div n)
            [| x; y |]

    unary
        (name e)
        (fun r -> if e = Largest then r.max () else r.min ())
        (fun x y t -> Reductions.sum (mul t (weights x y)))
        (fun x y g -> mul g (weights x y))
        x

/// The extremum along dimension `d` (already normalized); the derivative goes to the element whose
/// index the reduction returns (PyTorch's convention).
let private alongDimension (e: Extremum) (d: int) (keepDim: bool) (x: Value) : Value =
    if (Value.shape x)[d] = 0L then
        Errors.fail
            (name e)
            $"dimension {d} of the input of shape {Errors.shapeText (Value.shape x)} is empty"
            "Reduce over a non-empty dimension."

    let picked (x: Value) =
        constant
            (name e)
            (fun r ->
                let struct (values, indices) =
                    if e = Largest then
                        r[0].max(int64 d, true)
                    else
                        r[0].min(int64 d, true)

                values.Dispose()
                use _ = indices
                use one = TorchSharp.torch.ones_like (indices, r[0].dtype)
                TorchSharp.torch.zeros_like(r[0]).scatter_(int64 d, indices, one))
            [| x |]

    unary
        (name e)
        (fun r ->
            let struct (values, indices) =
                if e = Largest then
                    r.max (int64 d, keepDim)
                else
                    r.min (int64 d, keepDim)

            indices.Dispose()
            values)
        (fun x _ t -> sumDim d keepDim (mul t (picked x)))
        (fun x _ g -> mul (restoreDim d keepDim x g) (picked x))
        x

/// The extremum of all elements, or along `dim` (keeping it as size 1 if `keepDim`).
let extremum (e: Extremum) (dim: int option) (keepDim: bool) (x: Value) : Value =
    requireNumeric (name e) x

    match dim with
    | None ->
        requireNonEmpty (name e) x
        overAllElements e x
    | Some dim -> alongDim (name e) dim (fun d x -> alongDimension e d keepDim x) x

/// Index of the extremum over the flattened tensor, or along `dim` (keeping it as size 1 if `keepDim`):
/// an Int64 tensor with no derivative (the first index on ties).
let argExtremum (e: Extremum) (dim: int option) (keepDim: bool) (x: Value) : Value =
    let op = "arg" + name e
    requireNumeric op x

    match dim with
    | None ->
        requireNonEmpty op x
        constant op (fun r -> if e = Largest then r[0].argmax() else r[0].argmin()) [| x |]
    | Some dim ->
        let shape = Value.shape x
        let d = normalizeDim op shape.Length dim

        if shape.Length > 0 && shape[d] = 0L then
            Errors.fail
                op
                $"dimension {dim} of the input of shape {Errors.shapeText shape} is empty"
                "Reduce over a non-empty dimension."

        constant
            op
            (fun r ->
                if e = Largest then
                    r[0].argmax(int64 d, keepDim)
                else
                    r[0].argmin(int64 d, keepDim))
            [| x |]
