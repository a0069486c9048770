/// Sliding-window geometry shared by convolution and pooling: per-dimension parameters from a scalar
/// or a sequence argument, argument checks with clear messages, and output sizes.
module internal Functional.Ops.Window

open Functional
open Functional.Ad

/// Per-dimension values for `nd` spatial dimensions from a scalar form (`stride = 2`, the same for
/// every dimension) or a sequence form (`strides = [2; 1]`, one per dimension); `fallback` if neither.
let resolve
    (op: string)
    (name: string)
    (nd: int)
    (one: int option)
    (many: int seq option)
    (fallback: int64[])
    : int64[] =
    match one, many with
    | Some _, Some _ ->
        Errors.fail
            op
            $"both {name} and {name}s are given"
            $"Pass either {name} (one value for every dimension) or {name}s (one value per dimension)."
    | Some v, None -> Array.create nd (int64 v)
    | None, Some vs ->
        let values = vs |> Seq.map int64 |> Array.ofSeq

        if values.Length <> nd then
            Errors.fail
                op
                $"{name}s has {values.Length} values {Errors.shapeText values} but the operation has {nd} spatial dimension(s)"
                $"Pass {nd} value(s), or use {name} for the same value in every dimension."

        values
    | None, None -> fallback

/// Fails unless every value is at least `minimum`.
let requireAtLeast (op: string) (name: string) (minimum: int64) (values: int64[]) =
    if values |> Array.exists (fun v -> v < minimum) then
        Errors.fail
            op
            $"{name} must be >= {minimum} in every dimension, got {Errors.shapeText values}"
            $"Use a {name} of at least {minimum}."

/// Fails unless `shape` has rank `rank`; `layout` names the expected dimensions, e.g. "(N, C, H, W)".
let requireRank (op: string) (what: string) (layout: string) (rank: int) (shape: int64[]) =
    if shape.Length <> rank then
        Errors.fail
            op
            $"the {what} has shape {Errors.shapeText shape} (rank {shape.Length}) but must have rank {rank}: {layout}"
            (if shape.Length = rank - 1 && what = "input" then
                 "Add a batch dimension, e.g. x.Reshape [1; ...]."
             else
                 $"Reshape it to {layout}.")

/// Fails unless the value is floating point (the dtypes that carry derivatives).
let requireFloat (op: string) (what: string) (v: Value) =
    let r = Value.raw v
    let d = r.dtype

    if not (r.is_floating_point ()) then
        Errors.fail
            op
            $"the {what} has dtype {d}, but the operation needs Float32 or Float64"
            "Convert it to a floating-point dtype first."

/// Fails unless two values have the same dtype.
let requireSameDtype (op: string) (what: string) (x: Value) (other: Value) =
    let a, b = (Value.raw x).dtype, (Value.raw other).dtype

    if a <> b then
        Errors.fail
            op
            $"the input has dtype {a} but the {what} has dtype {b}"
            "Convert both to the same dtype."

/// The spatial dimensions of an (N, C, ...) shape.
let spatial (shape: int64[]) = shape[2..]

/// Output lengths of a sliding window (kernel `k`, dilation `d`, stride `s`, padding `p`) over the
/// input lengths `size`: ⌊(size + 2p - d(k - 1) - 1) / s⌋ + 1 (rounded up with `ceilMode`, as PyTorch
/// pooling does); fails if the dilated kernel is larger than the padded input.
let outputSizes
    (op: string)
    (size: int64[])
    (kernel: int64[])
    (stride: int64[])
    (padding: int64[])
    (dilation: int64[])
    (ceilMode: bool)
    : int64[] =
    Array.init size.Length (fun i ->
        let span = dilation[i] * (kernel[i] - 1L) + 1L
        let room = size[i] + 2L * padding[i] - span

        if room < 0L then
            Errors.fail
                op
                $"the kernel (size {Errors.shapeText kernel}, dilation {Errors.shapeText dilation}, spanning {span} in spatial dimension {i}) is larger than the padded input (size {Errors.shapeText size} + 2 × padding {Errors.shapeText padding})"
                "Use a smaller kernel or dilation, more padding, or a larger input."

        if ceilMode then
            let o = (room + stride[i] - 1L) / stride[i] + 1L
            // PyTorch: the last window must start inside the input or its left padding.
            if (o - 1L) * stride[i] >= size[i] + padding[i] then
                o - 1L
            else
                o
        else
            room / stride[i] + 1L)
