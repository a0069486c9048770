/// Max and average pooling over 1 or 2 spatial dimensions. Max pooling picks elements (its derivative
/// routes through the argmax indices: a gather whose adjoint is a scatter-add and back); average
/// pooling is linear (its adjoint is PyTorch's average-pooling backward, whose adjoint is average pooling).
/// The raw 1-d forms run as 2-d pooling over a height of one.
module internal Functional.Ops.Pooling

open System
open TorchSharp
open Functional
open Functional.Ad
open Functional.Raw
open Functional.Ops.Define
open Functional.Ops.Window

/// Geometry of a pooling window in 2-d form (a 1-d window has height one).
type PoolSpec =
    {
        Kernel: int64[]
        Stride: int64[]
        Padding: int64[]
        Dilation: int64[]
        CeilMode: bool
    }

/// (N, C, L) -> (N, C, 1, L) for 1-d pooling; 2-d inputs unchanged.
let private lift (r: Raw) =
    if r.shape.Length = 3 then r.unsqueeze 2L else r

/// A shape in 2-d form.
let private liftShape (shape: int64[]) =
    if shape.Length = 3 then
        [| shape[0]; shape[1]; 1L; shape[2] |]
    else
        shape

/// (N, C, 1, L) -> (N, C, L) when `rank` is 3.
let private unlift (rank: int) (r: Raw) = if rank = 3 then r.squeeze 2L else r

/// The number of elements in one (n, c) plane of an (N, C, *S) shape (explicit, as -1 is ambiguous when N = 0).
let private planeSize (shape: int64[]) = Array.fold (*) 1L (spatial shape)

/// Each (n, c) plane of x: (N, C, *S) flattened and read at `index`: (N, C, *So), flat positions in *S.
let private gatherRaw (index: Raw) (x: Raw) : Raw =
    let n, c = x.shape[0], x.shape[1]

    x.reshape(n, c, planeSize x.shape).gather(2L, index.reshape (n, c, planeSize index.shape)).reshape
        index.shape

/// Zeros of `shape` (N, C, *S) with each g element added at its flat position `index` in its plane.
let private scatterRaw (index: Raw) (shape: int64[]) (g: Raw) : Raw =
    let n, c = shape[0], shape[1]
    let plane = Array.fold (*) 1L (spatial shape)
    let zeros = torch.zeros ([| n; c; plane |], dtype = g.dtype, device = g.device)

    let outPlane = planeSize index.shape

    zeros.scatter_add(2L, index.reshape (n, c, outPlane), g.reshape (n, c, outPlane)).reshape shape

/// Reads x: (N, C, *S) at the flat spatial positions `index`: (N, C, *So); linear in x.
let rec gatherAt (index: Raw) (x: Value) : Value =
    unary
        "maxPool"
        (gatherRaw index)
        (fun _ _ t -> gatherAt index t)
        (fun x _ g -> scatterAt index (Value.shape x) g)
        x

/// Adds g: (N, C, *So) into zeros of `shape` at the flat spatial positions `index` (the adjoint of `gatherAt`).
and scatterAt (index: Raw) (shape: int64[]) (g: Value) : Value =
    unary
        "maxPoolBackward"
        (scatterRaw index shape)
        (fun _ _ t -> scatterAt index shape t)
        (fun _ _ h -> gatherAt index h)
        g

/// Average pooling of x: (N, C, *S); linear.
let rec private averageAt (spec: PoolSpec) (countIncludePad: bool) (x: Value) : Value =
    unary
        "avgPool"
        (fun r ->
            torch.nn.functional.avg_pool2d (
                lift r,
                spec.Kernel,
                spec.Stride,
                spec.Padding,
                ceil_mode = spec.CeilMode,
                count_include_pad = countIncludePad
            )
            |> unlift r.shape.Length)
        (fun _ _ t -> averageAt spec countIncludePad t)
        (fun x _ g -> averageAdjoint spec countIncludePad (Value.shape x) g)
        x

/// The adjoint of average pooling: spreads g: (N, C, *So) back over inputs of `shape`.
and private averageAdjoint (spec: PoolSpec) (countIncludePad: bool) (shape: int64[]) (g: Value) : Value =
    unary
        "avgPoolBackward"
        (fun r ->
            use original = torch.empty (liftShape shape, dtype = r.dtype, device = r.device)

            torch.nn.functional.avg_pool2d_backward (
                lift r,
                original,
                spec.Kernel,
                spec.Stride,
                spec.Padding,
                ceil_mode = spec.CeilMode,
                count_include_pad = countIncludePad
            )
            |> unlift shape.Length)
        (fun _ _ t -> averageAdjoint spec countIncludePad shape t)
        (fun _ _ h -> averageAt spec countIncludePad h)
        g

/// Validates a pooling call on x: (N, C, *S) and returns its 2-d spec.
let private check
    (op: string)
    (nd: int)
    (x: Value)
    (kernel: int64[])
    (stride: int64[])
    (padding: int64[])
    (dilation: int64[])
    (ceilMode: bool)
    =
    let layout = if nd = 1 then "(N, C, L)" else "(N, C, H, W)"
    requireRank op "input" layout (nd + 2) (Value.shape x)
    requireFloat op "input" x

    let shape = Value.shape x

    if Array.exists (fun n -> n < 1L) shape[1..] then
        Errors.fail
            op
            $"the input of shape {Errors.shapeText shape} has an empty channel or spatial dimension"
            "Pooling needs at least one channel and one element per spatial dimension; only the batch may be empty."

    requireAtLeast op "kernel size" 1L kernel
    requireAtLeast op "stride" 1L stride
    requireAtLeast op "padding" 0L padding
    requireAtLeast op "dilation" 1L dilation

    if Array.exists2 (fun p k -> 2L * p > k) padding kernel then
        Errors.fail
            op
            $"padding {Errors.shapeText padding} is more than half the kernel size {Errors.shapeText kernel}"
            "Padding must be at most kernel size / 2 in every dimension (as in PyTorch)."

    let size = spatial (Value.shape x)
    let outputs = outputSizes op size kernel stride padding dilation ceilMode

    // With dilation a window can fall entirely on padding (PyTorch then returns -∞ and a bad index);
    // without it, padding <= kernel / 2 keeps an input element in every window.
    for i in 0 .. nd - 1 do
        let coversInput (o: int64) =
            let start = o * stride[i] - padding[i]

            Seq.exists
                (fun j -> let e = start + j * dilation[i] in e >= 0L && e < size[i])
                (seq { 0L .. kernel[i] - 1L })

        let uncovered =
            if dilation[i] = 1L then
                None
            else
                Seq.tryFind (not << coversInput) (seq { 0L .. outputs[i] - 1L })

        match uncovered with
        | Some o ->
            Errors.fail
                op
                $"output window {o} along spatial dimension {i} covers only padding (input size {Errors.shapeText size}, kernel {Errors.shapeText kernel}, stride {Errors.shapeText stride}, padding {Errors.shapeText padding}, dilation {Errors.shapeText dilation})"
                "Use less padding or a smaller dilation."
        | None -> ()

    let two (a: int64[]) (one: int64) = if nd = 1 then [| one; a[0] |] else a

    {
        Kernel = two kernel 1L
        Stride = two stride 1L
        Padding = two padding 0L
        Dilation = two dilation 1L
        CeilMode = ceilMode
    }

/// Max pooling of x: (N, C, *S) over `nd` spatial dimensions (windows padded with -∞); the derivative
/// flows to the maximum of each window.
let maxPool
    (op: string)
    (nd: int)
    (x: Value)
    (kernel: int64[])
    (stride: int64[])
    (padding: int64[])
    (dilation: int64[])
    (ceilMode: bool)
    : Value =
    let spec = check op nd x kernel stride padding dilation ceilMode
    let rank = nd + 2
    let raw = Value.raw x

    let pooled, index =
        if
            WindowMax.applies
                (liftShape raw.shape)
                raw.dtype
                spec.Kernel
                spec.Stride
                spec.Padding
                spec.Dilation
                spec.CeilMode
        then
            // Non-overlapping windows: vectorized maxima; the indices only when a derivative will need them.
            let pooled =
                Memory.Run(
                    guarded op (fun r -> WindowMax.forward spec.Kernel (lift r[0]) |> unlift rank),
                    [| raw |]
                )

            let index =
                match x with
                | Const _ -> null
                | _ ->
                    Memory.Run(
                        guarded op (fun r ->
                            WindowMax.argmaxIndex spec.Kernel (lift r[0]) (lift r[1]) |> unlift rank),
                        [| raw; pooled |]
                    )
                    |> Memory.TrackIfTopLevel

            pooled, index
        else
            let indexCell = ref null

            let pooled =
                guarded
                    op
                    (fun r ->
                        let struct (y, i) =
                            torch.nn.functional.max_pool2d_with_indices (
                                lift r[0],
                                spec.Kernel,
                                spec.Stride,
                                spec.Padding,
                                spec.Dilation,
                                spec.CeilMode
                            )

                        indexCell.Value <- Memory.TrackIfTopLevel(unlift rank i)
                        unlift rank y)
                    [| raw |]

            pooled, indexCell.Value

    // The forward is the pooled tensor computed with the indices (the op runs once, on Value.raw x).
    unary
        op
        (fun _ -> pooled)
        (fun _ _ t -> gatherAt index t)
        (fun x _ g -> scatterAt index (Value.shape x) g)
        x

/// Average pooling of x: (N, C, *S) over `nd` spatial dimensions; with `countIncludePad` the padded
/// zeros count in each window's divisor.
let avgPool
    (op: string)
    (nd: int)
    (x: Value)
    (kernel: int64[])
    (stride: int64[])
    (padding: int64[])
    (ceilMode: bool)
    (countIncludePad: bool)
    : Value =
    let spec = check op nd x kernel stride padding (Array.create nd 1L) ceilMode
    averageAt spec countIncludePad x
