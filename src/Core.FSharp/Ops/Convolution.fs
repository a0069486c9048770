/// Convolutions (strided, padded, dilated, grouped) and transposed convolutions over 1 or 2 spatial
/// dimensions. Three ops are the partial derivatives of one trilinear form T(x, w, y) = <y, conv(x, w)>:
/// the convolution ∂T/∂y, its input adjoint ∂T/∂x (a transposed convolution) and its weight adjoint
/// ∂T/∂w. Each op is bilinear and its VJPs are the other two ops, so derivatives nest to any order. The
/// raw computations are in `Native/ConvolutionKernels.fs` (the adjoints by libtorch's backward kernels).
module internal Functional.Ops.Convolution

open System
open TorchSharp
open Functional
open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Window
open Functional.Native

/// Geometry of a convolution: stride, padding and dilation per spatial dimension, and the group count.
/// With input x: (N, Cin, *S), weight w: (Cout, Cin / Groups, *K) and output y: (N, Cout, *So), every
/// op below keeps So <= the natural output length ⌊(S + 2p - d(K - 1) - 1) / s⌋ + 1 (the output is
/// cut to So), which makes the input adjoint's output padding smaller than max(stride, dilation).
type ConvSpec = ConvolutionKernels.Geometry

/// y = conv(x, w) cut to the output lengths `so`.
let private convRaw (spec: ConvSpec) (so: int64[]) (x: Raw) (w: Raw) : Raw =
    ConvolutionKernels.convolve x w spec |> ConvolutionKernels.cut so

/// ∂T/∂x: the transposed convolution of g: (N, Cout, *So) with w, producing input lengths `s`.
let private inputAdjointRaw (spec: ConvSpec) (s: int64[]) (g: Raw) (w: Raw) : Raw =
    ConvolutionKernels.inputGrad g (Array.append [| g.shape[0]; w.shape[1] * spec.Groups |] s) w spec

/// ∂T/∂w: the correlation of the input x: (N, Cin, *S) with g: (N, Cout, *So) over the batch, as
/// (Cout, Cin / G, *k).
let private weightAdjointRaw (spec: ConvSpec) (k: int64[]) (x: Raw) (g: Raw) : Raw =
    ConvolutionKernels.weightGrad g x (Array.append [| g.shape[1]; x.shape[1] / spec.Groups |] k) spec

/// conv(x, w) with output lengths `so` (x: (N, Cin, *S), w: (Cout, Cin / G, *K)); bilinear.
let rec conv (spec: ConvSpec) (so: int64[]) (x: Value) (w: Value) : Value =
    binary
        "conv"
        (convRaw spec so)
        (fun x w _ i t -> if i = 0 then conv spec so t w else conv spec so x t)
        (fun x w _ g i ->
            if i = 0 then
                inputAdjoint spec (spatial (Value.shape x)) g w
            else
                weightAdjoint spec (spatial (Value.shape w)) x g)
        x
        w

/// The input adjoint of `conv` (a transposed convolution): g: (N, Cout, *So), w -> (N, Cin, *s).
and inputAdjoint (spec: ConvSpec) (s: int64[]) (g: Value) (w: Value) : Value =
    binary
        "convTranspose"
        (inputAdjointRaw spec s)
        (fun g w _ i t ->
            if i = 0 then
                inputAdjoint spec s t w
            else
                inputAdjoint spec s g t)
        (fun g w _ h i ->
            if i = 0 then
                conv spec (spatial (Value.shape g)) h w
            else
                weightAdjoint spec (spatial (Value.shape w)) h g)
        g
        w

/// The weight adjoint of `conv`: x: (N, Cin, *S), g: (N, Cout, *So) -> (Cout, Cin / G, *k).
and weightAdjoint (spec: ConvSpec) (k: int64[]) (x: Value) (g: Value) : Value =
    binary
        "convWeightGrad"
        (weightAdjointRaw spec k)
        (fun x g _ i t ->
            if i = 0 then
                weightAdjoint spec k t g
            else
                weightAdjoint spec k x t)
        (fun x g _ h i ->
            if i = 0 then
                inputAdjoint spec (spatial (Value.shape x)) g h
            else
                conv spec (spatial (Value.shape g)) x h)
        x
        g

/// Layout text for error messages: (N, C, L) or (N, C, H, W).
let private layout (nd: int) (c: string) =
    if nd = 1 then $"({c}, L)" else $"({c}, H, W)"

/// Fails if a spatial dimension of the input is empty (libtorch supports only an empty batch or channel).
let private requireSpatial (op: string) (xs: int64[]) =
    if Array.exists (fun n -> n < 1L) (spatial xs) then
        Errors.fail
            op
            $"the input of shape {Errors.shapeText xs} has an empty spatial dimension"
            "Spatial sizes must be >= 1; only the batch (or channel) dimension may be empty."

/// Checks stride, padding, dilation and groups.
let private checkGeometry
    (op: string)
    (stride: int64[])
    (padding: int64[])
    (dilation: int64[])
    (groups: int64)
    =
    requireAtLeast op "stride" 1L stride
    requireAtLeast op "padding" 0L padding
    requireAtLeast op "dilation" 1L dilation

    if groups < 1L then
        Errors.fail op $"groups must be >= 1, got {groups}" "Use groups = 1 for an ordinary convolution."

/// Adds a per-channel bias b: (C) to y: (N, C, ...), checking its shape.
let private addBias (op: string) (channels: int64) (y: Value) (bias: Value option) =
    match bias with
    | None -> y
    | Some b ->
        let shape = Value.shape b

        if shape.Length <> 1 || shape[0] <> channels then
            Errors.fail
                op
                $"the bias has shape {Errors.shapeText shape} but the output has {channels} channels"
                $"Pass a bias of shape [{channels}] (one value per output channel)."

        requireSameDtype op "bias" y b
        let rank = (Value.shape y).Length
        let column = Array.init rank (fun i -> if i = 1 then channels else 1L)
        Arithmetic.add y (Shape.reshape column b)

/// y = conv(x, w) + b over `nd` spatial dimensions with PyTorch's conventions: x: (N, Cin, *S),
/// w: (Cout, Cin / groups, *K), b: (Cout); y: (N, Cout, *So), So = ⌊(S + 2p - d(K - 1) - 1) / s⌋ + 1.
let convolution
    (op: string)
    (nd: int)
    (x: Value)
    (w: Value)
    (bias: Value option)
    (stride: int64[])
    (padding: int64[])
    (dilation: int64[])
    (groups: int64)
    : Value =
    let xs, ws = Value.shape x, Value.shape w
    requireRank op "input" (layout nd "N, C") (nd + 2) xs
    requireRank op "weight" (layout nd "C_out, C_in / groups") (nd + 2) ws
    requireSpatial op xs
    requireFloat op "input" x
    requireSameDtype op "weight" x w
    checkGeometry op stride padding dilation groups
    let cin, cout = xs[1], ws[0]

    if cin % groups <> 0L || cout % groups <> 0L then
        Errors.fail
            op
            $"groups = {groups} must divide both the input channels ({cin}) and the output channels ({cout})"
            "Choose groups that divides the channel counts."

    if ws[1] * groups <> cin then
        Errors.fail
            op
            $"the weight has shape {Errors.shapeText ws}, so it expects {ws[1]} × groups {groups} = {ws[1] * groups} input channels, but the input has shape {Errors.shapeText xs} with {cin} channels"
            "The weight's second dimension must be input channels / groups."

    if Array.exists (fun k -> k < 1L) ws then
        Errors.fail
            op
            $"the weight has shape {Errors.shapeText ws} with an empty dimension"
            "Kernel sizes and channel counts must be >= 1."

    let so = outputSizes op (spatial xs) (spatial ws) stride padding dilation false

    let spec: ConvSpec =
        {
            Stride = stride
            Padding = padding
            Dilation = dilation
            Groups = groups
        }

    addBias op cout (conv spec so x w) bias

/// The transposed convolution (the adjoint of `convolution` in its input) plus b: x: (N, Cin, *S),
/// w: (Cin, Cout / groups, *K), b: (Cout); y: (N, Cout, *So), So = (S - 1)s - 2p + d(K - 1) + op + 1.
let transposedConvolution
    (op: string)
    (nd: int)
    (x: Value)
    (w: Value)
    (bias: Value option)
    (stride: int64[])
    (padding: int64[])
    (outputPadding: int64[])
    (dilation: int64[])
    (groups: int64)
    : Value =
    let xs, ws = Value.shape x, Value.shape w
    requireRank op "input" (layout nd "N, C") (nd + 2) xs
    requireRank op "weight" (layout nd "C_in, C_out / groups") (nd + 2) ws
    requireSpatial op xs
    requireFloat op "input" x
    requireSameDtype op "weight" x w
    checkGeometry op stride padding dilation groups
    requireAtLeast op "outputPadding" 0L outputPadding
    let cin = xs[1]

    if cin % groups <> 0L then
        Errors.fail
            op
            $"groups = {groups} must divide the input channels ({cin})"
            "Choose groups that divides the channel counts."

    if ws[0] <> cin then
        Errors.fail
            op
            $"the weight has shape {Errors.shapeText ws}, so it expects {ws[0]} input channels, but the input has shape {Errors.shapeText xs} with {cin} channels"
            "A transposed convolution's weight is (C_in, C_out / groups, *kernel)."

    let k = spatial ws

    if Array.exists (fun k -> k < 1L) ws then
        Errors.fail
            op
            $"the weight has shape {Errors.shapeText ws} with an empty dimension"
            "Kernel sizes and channel counts must be >= 1."

    for i in 0 .. nd - 1 do
        if outputPadding[i] >= max stride[i] dilation[i] then
            Errors.fail
                op
                $"outputPadding {Errors.shapeText outputPadding} must be smaller than stride {Errors.shapeText stride} or dilation {Errors.shapeText dilation} in every dimension"
                "outputPadding only resolves the ambiguity of strided output sizes; use a smaller value."

    let s = spatial xs

    let so =
        Array.init nd (fun i ->
            (s[i] - 1L) * stride[i] - 2L * padding[i]
            + dilation[i] * (k[i] - 1L)
            + outputPadding[i]
            + 1L)

    if Array.exists (fun o -> o < 1L) so then
        Errors.fail
            op
            $"the output would have spatial size {Errors.shapeText so} for input size {Errors.shapeText s}, kernel {Errors.shapeText k}, stride {Errors.shapeText stride}, padding {Errors.shapeText padding}"
            "Use less padding or a larger input."

    let spec: ConvSpec =
        {
            Stride = stride
            Padding = padding
            Dilation = dilation
            Groups = groups
        }

    addBias op (ws[1] * groups) (inputAdjoint spec so x w) bias
