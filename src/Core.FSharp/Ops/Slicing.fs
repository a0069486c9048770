/// Slicing and padding: narrow (a contiguous range along one dimension) and constant padding are each
/// other's adjoints; F#-style multi-dimensional slices are built from narrow and select.
module internal Functional.Ops.Slicing

open TorchSharp
open Functional
open Functional.Ad
open Functional.Ops.Define

/// The elements `start .. start + length - 1` along `dim` (a view; the dimension keeps its place).
let rec narrow (dim: int) (start: int64) (length: int64) (x: Value) : Value =
    let shape = Value.shape x
    let d = Shape.dimIndex "narrow" shape.Length dim

    if start < 0L || length < 0L || start + length > shape[d] then
        Errors.fail
            "narrow"
            $"start {start} and length {length} do not fit dimension {dim} of size {shape[d]} (shape {Errors.shapeText shape})"
            "Use 0 <= start and start + length <= size."

    if start = 0L && length = shape[d] then
        x
    else
        let before = Array.zeroCreate shape.Length
        let after = Array.zeroCreate shape.Length
        before[d] <- start
        after[d] <- shape[d] - start - length

        unary
            "narrow"
            (fun r -> r.narrow (int64 d, start, length))
            (fun _ _ t -> narrow d start length t)
            (fun _ _ g -> padConstant before after 0.0 g)
            x

/// Pads dimension i with `before[i]` and `after[i]` (both >= 0) elements equal to `value`.
and padConstant (before: int64[]) (after: int64[]) (value: float) (x: Value) : Value =
    let shape = Value.shape x

    if Array.forall ((=) 0L) before && Array.forall ((=) 0L) after then
        x
    else
        let outShape = Array.init shape.Length (fun i -> before[i] + shape[i] + after[i])

        unary
            "pad"
            (fun r ->
                let out = torch.full (outShape, scalar value, r.dtype, r.device)
                let mutable window = out

                for i in 0 .. shape.Length - 1 do
                    window <- window.narrow (int64 i, before[i], shape[i])

                window.copy_ r |> ignore
                out)
            (fun _ _ t -> padConstant before after 0.0 t)
            (fun _ _ g -> crop before after g)
            x

/// Removes `before[i]` leading and `after[i]` trailing elements (both >= 0) from each dimension i.
and crop (before: int64[]) (after: int64[]) (x: Value) : Value =
    let shape = Value.shape x
    let mutable y = x

    for i in 0 .. shape.Length - 1 do
        y <- narrow i before[i] (shape[i] - before[i] - after[i]) y

    y

/// Constant padding as torch.nn.functional.pad: `pads` holds (before, after) pairs starting from the last
/// dimension; negative amounts crop.
let pad (pads: int64[]) (value: float) (x: Value) : Value =
    let shape = Value.shape x
    let rank = shape.Length

    if pads.Length % 2 <> 0 || pads.Length > 2 * rank then
        Errors.fail
            "pad"
            $"{pads.Length} padding amounts {Errors.shapeText pads} do not fit a tensor of shape {Errors.shapeText shape}"
            "Give (before, after) pairs starting from the last dimension, at most two per dimension."

    let amount (side: int) (d: int) =
        let k = rank - 1 - d

        if 2 * k + side < pads.Length then
            pads[2 * k + side]
        else
            0L

    let before = Array.init rank (amount 0)
    let after = Array.init rank (amount 1)

    for d in 0 .. rank - 1 do
        if shape[d] + before[d] + after[d] < 0L then
            Errors.fail
                "pad"
                $"padding {before[d]}, {after[d]} would give dimension {d} of size {shape[d]} a negative size"
                "Negative padding crops; crop at most the size of the dimension."

    let positive = Array.map (max 0L)
    let negative = Array.map (fun n -> max 0L -n)

    x
    |> crop (negative before) (negative after)
    |> padConstant (positive before) (positive after) value

/// One entry of a multi-dimensional slice: a single index (the dimension is removed) or an inclusive
/// range with optional bounds (F# slicing, `1..3`, `2..`, `*`).
type internal SliceSpec =
    | At of int64
    | Range of start: int64 option * finish: int64 option

/// Applies F#-style slicing, one spec per leading dimension (later dimensions are kept whole). Ranges are
/// inclusive and clamped to the dimension like F# array slices (an empty range gives size 0); a single
/// index may be negative (counting from the end) and must be in range.
let slice (specs: SliceSpec[]) (x: Value) : Value =
    let shape = Value.shape x

    if specs.Length > shape.Length then
        Errors.fail
            "slice"
            $"{specs.Length} indices given for a tensor of shape {Errors.shapeText shape}"
            "Index at most as many dimensions as the tensor has."

    let mutable y = x

    for d in specs.Length - 1 .. -1 .. 0 do
        let n = shape[d]

        match specs[d] with
        | At i ->
            let j = if i < 0L then i + n else i

            if j < 0L || j >= n then
                Errors.fail
                    "slice"
                    $"index {i} is out of range for dimension {d} of size {n} (shape {Errors.shapeText shape})"
                    "Use an index in [-size, size - 1]."

            y <- Shape.select d j y
        | Range(start, finish) ->
            let s = start |> Option.defaultValue 0L |> max 0L |> min n
            let e = finish |> Option.defaultValue (n - 1L) |> min (n - 1L)
            y <- narrow d s (max 0L (e - s + 1L)) y

    y
