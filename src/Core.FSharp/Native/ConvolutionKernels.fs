/// libtorch's convolution kernels as raw tensor functions over 1 or 2 spatial dimensions: the convolution,
/// its input gradient and its weight gradient. The gradients use libtorch's own backward kernels
/// (`aten::convolution_backward`, what PyTorch's autograd runs), several times faster than writing them
/// as other convolutions (a transposed convolution; a convolution over the batch as channels) when
/// oneDNN is off. TorchSharp binds no entry point for them, so they are called through a small
/// TorchScript unit compiled once per process (~5 µs per call). The gradients take g: (N, Cout, *So) with
/// So at most the convolution's full output lengths; the rest counts as zero.
module Functional.Native.ConvolutionKernels

open System
open TorchSharp

/// One function per spatial rank and gradient: the output mask asks libtorch for one gradient only.
let private script =
    """
def input_grad_1d(g: Tensor, x: Tensor, w: Tensor, s: int, p: int, d: int, groups: int) -> Tensor:
    return torch.convolution_backward(g, x, w, None, [s], [p], [d], False, [0], groups, [True, False, False])[0]

def weight_grad_1d(g: Tensor, x: Tensor, w: Tensor, s: int, p: int, d: int, groups: int) -> Tensor:
    return torch.convolution_backward(g, x, w, None, [s], [p], [d], False, [0], groups, [False, True, False])[1]

def input_grad_2d(g: Tensor, x: Tensor, w: Tensor, s0: int, s1: int, p0: int, p1: int, d0: int, d1: int, groups: int) -> Tensor:
    return torch.convolution_backward(g, x, w, None, [s0, s1], [p0, p1], [d0, d1], False, [0, 0], groups, [True, False, False])[0]

def weight_grad_2d(g: Tensor, x: Tensor, w: Tensor, s0: int, s1: int, p0: int, p1: int, d0: int, d1: int, groups: int) -> Tensor:
    return torch.convolution_backward(g, x, w, None, [s0, s1], [p0, p1], [d0, d1], False, [0, 0], groups, [False, True, False])[1]
"""

let private compiled = lazy (torch.jit.compile script)

/// Geometry of a convolution, one value per spatial dimension (and the group count).
type Geometry =
    {
        /// Step of the window.
        Stride: int64[]
        /// Zeros added on both sides.
        Padding: int64[]
        /// Spacing of the kernel's taps.
        Dilation: int64[]
        /// Channel groups (input and output channels split into this many independent convolutions).
        Groups: int64
    }

/// The spatial dimensions of an (N, C, ...) shape.
let private spatial (shape: int64[]) = shape[2..]

/// Product of the elements.
let private product (xs: int64[]) = Array.fold (*) 1L xs

/// y = conv(x, w) at its full output lengths: x: (N, Cin, *S), w: (Cout, Cin / G, *K).
let convolve (x: torch.Tensor) (w: torch.Tensor) (geometry: Geometry) : torch.Tensor =
    match geometry.Stride.Length with
    | 1 ->
        torch.nn.functional.conv1d (
            x,
            w,
            stride = Nullable geometry.Stride[0],
            padding = Nullable geometry.Padding[0],
            dilation = Nullable geometry.Dilation[0],
            groups = geometry.Groups
        )
    | _ ->
        torch.nn.functional.conv2d (
            x,
            w,
            strides = geometry.Stride,
            padding = geometry.Padding,
            dilation = geometry.Dilation,
            groups = geometry.Groups
        )

/// Cuts the spatial dimensions of `r` to `sizes` (keeping the leading elements).
let cut (sizes: int64[]) (r: torch.Tensor) : torch.Tensor =
    let mutable out = r

    for i in 0 .. sizes.Length - 1 do
        if out.shape[i + 2] > sizes[i] then
            out <- out.narrow (int64 (i + 2), 0L, sizes[i])

    out

/// The convolution's full output lengths for input lengths `s` and kernel lengths `k`:
/// ⌊(s + 2p - d(k - 1) - 1) / stride⌋ + 1.
let private fullLengths (geometry: Geometry) (s: int64[]) (k: int64[]) =
    Array.init s.Length (fun i ->
        (s[i] + 2L * geometry.Padding[i] - geometry.Dilation[i] * (k[i] - 1L) - 1L)
        / geometry.Stride[i]
        + 1L)

/// g padded with zeros at the end of its spatial dimensions to `full` (the adjoint of `cut`).
let private uncut (full: int64[]) (g: torch.Tensor) =
    let so = spatial g.shape

    if so = full then
        g
    else
        // pad lists the last dimension first
        let pads =
            [| for i in so.Length - 1 .. -1 .. 0 -> [| 0L; full[i] - so[i] |] |]
            |> Array.concat

        torch.nn.functional.pad (g, pads)

/// Calls `<name>_<nd>d` with the gradient, the input, the weight and the geometry. The numbers go as
/// int32: TorchSharp passes an int64 argument as a temporary native Scalar that the garbage collector may
/// free before libtorch reads it (the call then saw garbage strides, now and then).
let private call (name: string) (g: torch.Tensor) (x: torch.Tensor) (w: torch.Tensor) (geometry: Geometry) =
    let numbers =
        Array.concat [ geometry.Stride; geometry.Padding; geometry.Dilation; [| geometry.Groups |] ]
        |> Array.map (fun v -> box (Checked.int32 v))

    let args = Array.append [| box g; box x; box w |] numbers

    let result =
        compiled.Value.invoke ($"{name}_{geometry.Stride.Length}d", args) :?> torch.Tensor

    GC.KeepAlive args
    result

/// ∂<g, conv(x, w)>/∂x for x of shape `inputShape` (N, Cin, *S): libtorch's backward kernel.
let inputGrad (g: torch.Tensor) (inputShape: int64[]) (w: torch.Tensor) (geometry: Geometry) : torch.Tensor =
    if g.numel () = 0L then
        torch.zeros (inputShape, g.dtype, g.device)
    else
        let g = uncut (fullLengths geometry (spatial inputShape) (spatial w.shape)) g
        // the kernel reads only the shape of the input
        use shapeOnly = torch.empty (inputShape, dtype = g.dtype, device = g.device)
        call "input_grad" g shapeOnly w geometry

/// Zeros of the weight's shape when the batch is empty (it contributes nothing, and libtorch's kernels reject
/// it), else `compute ()`.
let private unlessEmpty
    (g: torch.Tensor)
    (x: torch.Tensor)
    (weightShape: int64[])
    (compute: unit -> torch.Tensor)
    =
    if g.numel () = 0L || x.numel () = 0L then
        torch.zeros (weightShape, x.dtype, x.device)
    else
        compute ()

/// ∂<g, conv(x, w)>/∂w for w of shape `weightShape` (Cout, Cin / G, *K): libtorch's backward kernel, which
/// multiplies the gradient and the input's patches one sample at a time.
let weightGradByKernel
    (g: torch.Tensor)
    (x: torch.Tensor)
    (weightShape: int64[])
    (geometry: Geometry)
    : torch.Tensor =
    unlessEmpty g x weightShape (fun () ->
        let g = uncut (fullLengths geometry (spatial x.shape) (spatial weightShape)) g
        // the kernel reads only the shape of the weight
        use shapeOnly = torch.empty (weightShape, dtype = g.dtype, device = g.device)
        call "weight_grad" g x shapeOnly geometry)

/// ∂<g, conv(x, w)>/∂w as one convolution over the whole batch: x as (Cin / G, G·N, *S) convolved with g as
/// (Cout, N, *So) in G groups, stride and dilation exchanged; the result (Cin / G, Cout, *K') is cut to
/// the kernel lengths and transposed to (Cout, Cin / G, *K).
let weightGradOverBatch
    (g: torch.Tensor)
    (x: torch.Tensor)
    (weightShape: int64[])
    (geometry: Geometry)
    : torch.Tensor =
    unlessEmpty g x weightShape (fun () ->
        let n, cin, groups = x.shape[0], x.shape[1], geometry.Groups
        let s = spatial x.shape
        let nd = int64 s.Length

        let input =
            x
                .reshape(Array.append [| n; groups; cin / groups |] s)
                .permute(Array.append [| 2L; 1L; 0L |] [| 3L .. 2L + nd |])
                .reshape(Array.append [| cin / groups; groups * n |] s)

        let exchanged =
            { geometry with
                Stride = geometry.Dilation
                Dilation = geometry.Stride
            }

        (convolve input (g.transpose (0L, 1L)) exchanged |> cut (spatial weightShape))
            .transpose(0L, 1L)
            .contiguous())

/// Multiply-adds per sample below which `weightGrad` prefers `weightGradOverBatch` on a CPU with more than
/// one libtorch thread.
let smallProduct = 1L <<< 20

/// Whether `weightGrad` takes libtorch's kernel: always on a GPU or with one CPU thread; otherwise only
/// when a sample's product has at least `smallProduct` multiply-adds. With several threads each sample's
/// product in the kernel is a parallel region whose start-up outweighs a small product (LeNet's layers at
/// batch 64 and 2 threads: 2.3 ms by the kernel, 0.8-1.6 ms over the batch; cnn-mnist's second layer,
/// 64 x 32 x 3 x 3 weights and 24 x 24 outputs: 76 ms by the kernel, 120 ms over the batch).
let prefersKernel (onCpu: bool) (threads: int) (multiplyAddsPerSample: int64) : bool =
    not onCpu || threads <= 1 || multiplyAddsPerSample >= smallProduct

/// ∂<g, conv(x, w)>/∂w for w of shape `weightShape`, by the faster of the two formulations for the shape
/// and the thread count (`prefersKernel`).
let weightGrad
    (g: torch.Tensor)
    (x: torch.Tensor)
    (weightShape: int64[])
    (geometry: Geometry)
    : torch.Tensor =
    let perSample = product weightShape * product (spatial g.shape)

    if prefersKernel (x.device_type = DeviceType.CPU) (torch.get_num_threads ()) perSample then
        weightGradByKernel g x weightShape geometry
    else
        weightGradOverBatch g x weightShape geometry
