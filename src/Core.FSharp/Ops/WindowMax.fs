/// Max pooling over non-overlapping windows (stride = kernel, no padding or dilation) as elementwise
/// maxima of the kernel's strided views, and its argmax indices from float arithmetic. libtorch's CPU
/// max_pool2d walks each window in scalar code (1.6 ms for a [64; 6; 28; 28] input on this machine); the
/// k·k - 1 vectorized `maximum` kernels take 0.19 ms and the indices 0.37 ms, so LeNet-style networks
/// train and predict faster. Results equal max_pool2d_with_indices, ties going to the window's first maximum.
module internal Functional.Ops.WindowMax

open TorchSharp
open Functional.Ad
open Functional.Raw

/// Below this many output elements libtorch's kernel is faster (the fixed cost of ~20 kernel calls wins).
let minimumOutputs = 8192L

/// True when pooling x: (N, C, H, W) with 2-d kernel/stride/padding/dilation can take the fast path:
/// non-overlapping windows of at most 16 elements, Float32 or Float64 (the indices are computed in x's
/// dtype, exact below 2^24 positions per plane in Float32) and enough outputs to be worth it.
let applies
    (shape: int64[])
    (dtype: torch.ScalarType)
    (kernel: int64[])
    (stride: int64[])
    (padding: int64[])
    (dilation: int64[])
    (ceilMode: bool)
    : bool =
    shape.Length = 4
    && (dtype = torch.ScalarType.Float32 || dtype = torch.ScalarType.Float64)
    && kernel = stride
    && Array.forall ((=) 0L) padding
    && Array.forall ((=) 1L) dilation
    && kernel[0] * kernel[1] <= 16L
    && shape[2] >= kernel[0]
    && shape[3] >= kernel[1]
    && (not ceilMode || (shape[2] % kernel[0] = 0L && shape[3] % kernel[1] = 0L))
    && shape[2] * shape[3] < (1L <<< 24)
    && shape[0] * shape[1] * (shape[2] / kernel[0]) * (shape[3] / kernel[1])
       >= minimumOutputs

/// The window elements at offset (di, dj) of every window: strided views (N, C, Ho, Wo) of x.
let private views (kernel: int64[]) (x: Raw) : Raw[] =
    let ho, wo = x.shape[2] / kernel[0], x.shape[3] / kernel[1]
    let covered = x.narrow(2L, 0L, ho * kernel[0]).narrow(3L, 0L, wo * kernel[1])

    [|
        for di in 0L .. kernel[0] - 1L do
            for dj in 0L .. kernel[1] - 1L do
                covered.index (
                    torch.TensorIndex.Ellipsis,
                    torch.TensorIndex.Slice(di, System.Nullable(), kernel[0]),
                    torch.TensorIndex.Slice(dj, System.Nullable(), kernel[1])
                )
    |]

/// The maximum of each window: (N, C, Ho, Wo); NaN where a window holds a NaN (as max_pool2d).
let forward (kernel: int64[]) (x: Raw) : Raw =
    let vs = views kernel x
    let mutable m = torch.maximum (vs[0], vs[1])

    for p in 2 .. vs.Length - 1 do
        m <- torch.maximum (m, vs[p])

    m

/// The flat position in its (H, W) plane of each window's first maximum, Int64 (N, C, Ho, Wo): the
/// indices of max_pool2d_with_indices. Offset p = di·kw + dj is a window's argmax when x_p equals the
/// maximum y (1 + sign(x_p - y); libtorch's sign(NaN) = 0 reads ∞ - ∞ as equal) and no earlier offset
/// did. A window holding a NaN points at its first element (libtorch points at the NaN).
/// Call it inside a raw forward (`Memory.Run`), which keeps its scalars alive.
let argmaxIndex (kernel: int64[]) (x: Raw) (y: Raw) : Raw =
    use scope = torch.NewDisposeScope()
    let vs = views kernel x
    let last = vs.Length - 1
    let remaining = torch.ones_like y
    let offset = torch.zeros_like y

    for p in 0 .. last - 1 do
        let first = vs[p].sub(y).sign_().add_(Scalars.One).mul_ remaining

        remaining.add_ (first, Scalars.Of -1.0) |> ignore

        if p > 0 then
            offset.add_ (first, Scalars.Of(float p)) |> ignore

    offset.add_ (remaining, Scalars.Of(float last)) |> ignore

    // offset -> (di, dj) -> flat position (i·kh + di)·W + j·kw + dj
    let width = x.shape[3]
    let kh, kw = kernel[0], kernel[1]
    let di = offset.div(Scalars.Of(float kw)).floor_()
    let dj = offset.add_ (di, Scalars.Of(float -kw))

    let rows =
        torch
            .arange(0L, y.shape[2], dtype = y.dtype, device = y.device)
            .mul_(Scalars.Of(float (kh * width)))
            .unsqueeze
            1L

    let cols =
        torch.arange(0L, y.shape[3], dtype = y.dtype, device = y.device).mul_(Scalars.Of(float kw))

    let index =
        dj.add_(di, Scalars.Of(float width)).add_(rows, Scalars.One).add_(cols, Scalars.One).to_type
            torch.ScalarType.Int64

    scope.MoveToOuter index
