/// Shape ops: reshape and transpose (the ones other rules rely on); more live in ShapeOps files.
module internal Functional.Ops.Shape

open Functional
open Functional.Ad
open Functional.Ops.Define

/// Reshapes to `shape` (one entry may be -1); the element count must match.
let rec reshape (shape: int64[]) (x: Value) : Value =
    let from = Value.shape x
    let n = Array.fold (*) 1L from
    let known = shape |> Array.filter (fun d -> d <> -1L) |> Array.fold (*) 1L
    let inferred = shape |> Array.filter ((=) -1L) |> Array.length

    let target =
        if inferred = 1 && known > 0L && n % known = 0L then
            shape |> Array.map (fun d -> if d = -1L then n / known else d)
        else
            shape

    if
        inferred > 1
        || Array.fold (*) 1L target <> n
        || Array.exists (fun d -> d < 0L) target
    then
        Errors.fail
            "reshape"
            $"cannot reshape a tensor of shape {Errors.shapeText from} ({n} elements) to {Errors.shapeText shape}"
            "The new shape must have the same number of elements; at most one dimension may be -1."

    if target.Length = from.Length && Array.forall2 (=) target from then
        x
    else
        unary
            "reshape"
            (fun r -> r.reshape target)
            (fun _ _ t -> reshape target t)
            (fun x _ g -> reshape (Value.shape x) g)
            x

/// Swaps dimensions `d0` and `d1`.
let rec transpose (d0: int) (d1: int) (x: Value) : Value =
    let rank = (Value.shape x).Length
    let norm d = if d < 0 then d + rank else d
    let a, b = norm d0, norm d1

    if a < 0 || a >= rank || b < 0 || b >= rank then
        Errors.fail
            "transpose"
            $"dimensions {d0} and {d1} are out of range for rank {rank}"
            "Use dimensions within the tensor's rank."

    if a = b then
        x
    else
        unary
            "transpose"
            (fun r -> r.transpose (int64 a, int64 b))
            (fun _ _ t -> transpose a b t)
            (fun _ _ g -> transpose a b g)
            x

/// The slice at index `i` along `dim` (that dimension removed).
let rec select (dim: int) (i: int64) (x: Value) : Value =
    let shape = Value.shape x

    unary
        "select"
        (fun r -> r.select (int64 dim, i))
        (fun _ _ t -> select dim i t)
        (fun _ _ g -> embed shape dim i g)
        x

/// Zeros of `shape` with `g` placed at index `i` along `dim` (the adjoint of `select`).
and embed (shape: int64[]) (dim: int) (i: int64) (g: Value) : Value =
    unary
        "embed"
        (fun r ->
            let z = TorchSharp.torch.zeros (shape, r.dtype, r.device)
            z.select(int64 dim, i).copy_ r |> ignore
            z)
        (fun _ _ t -> embed shape dim i t)
        (fun _ _ g -> select dim i g)
        g

/// Stacks same-shaped values along a new dimension `dim`.
let rec stack (dim: int) (xs: Value[]) : Value =
    if xs.Length = 0 then
        Errors.fail "stack" "no tensors to stack" "Pass at least one tensor."

    let first = Value.shape xs[0]

    xs
    |> Array.iteri (fun i x ->
        let s = Value.shape x

        if s.Length <> first.Length || not (Array.forall2 (=) s first) then
            Errors.fail
                "stack"
                $"tensor {i} has shape {Errors.shapeText s} but tensor 0 has {Errors.shapeText first}"
                "All tensors must have the same shape.")

    Value.apply
        {
            Name = "stack"
            Forward = guarded "stack" (fun r -> TorchSharp.torch.stack (r, int64 dim))
            Jvp =
                fun p _ ts ->
                    stack
                        dim
                        (Array.init p.Length (fun i ->
                            match ts[i] with
                            | ValueSome t -> t
                            | ValueNone -> zerosLike p[i]))
            Vjp = fun _ _ g i -> select dim (int64 i) g
        }
        xs
