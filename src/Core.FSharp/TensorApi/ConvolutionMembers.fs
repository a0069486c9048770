namespace Functional

open Functional.Ops

/// Convolutions as `Tensor.conv2d (x, w, stride = 2)` and `x.Conv2d(w, stride = 2)`, with PyTorch's
/// layouts and output sizes. A per-dimension parameter has a scalar form (`padding = 1`, every
/// dimension) and a sequence form (`paddings = [1; 0]`, one value per dimension); give at most one.
[<AutoOpen>]
module ConvolutionMembers =
    let private valueOf (b: Tensor option) = b |> Option.map (fun t -> t.Value)

    /// Per-dimension values from the scalar and sequence forms, `fallback` in every dimension if neither.
    let private sizes op name nd (one: int option) (seq: int seq option) (fallback: int64) =
        Window.resolve op name nd one seq (Array.create nd fallback)

    type Tensor with
        /// 1-d convolution (cross-correlation) of x: (N, C_in, L) with weight: (C_out, C_in / groups, K) plus
        /// bias: (C_out) -> (N, C_out, L_out), L_out = ⌊(L + 2 padding - dilation (K - 1) - 1) / stride⌋ + 1.
        static member conv1d
            (
                x: Tensor,
                weight: Tensor,
                ?bias: Tensor,
                ?stride: int,
                ?padding: int,
                ?dilation: int,
                ?groups: int
            ) =
            let op = "conv1d"

            Tensor(
                Convolution.convolution
                    op
                    1
                    x.Value
                    weight.Value
                    (valueOf bias)
                    (sizes op "stride" 1 stride None 1L)
                    (sizes op "padding" 1 padding None 0L)
                    (sizes op "dilation" 1 dilation None 1L)
                    (int64 (defaultArg groups 1))
            )

        /// 2-d convolution (cross-correlation) of x: (N, C_in, H, W) with weight: (C_out, C_in / groups, kH, kW)
        /// plus bias: (C_out) -> (N, C_out, H_out, W_out), H_out = ⌊(H + 2 padding - dilation (kH - 1) - 1) / stride⌋ + 1.
        static member conv2d
            (
                x: Tensor,
                weight: Tensor,
                ?bias: Tensor,
                ?stride: int,
                ?strides: int seq,
                ?padding: int,
                ?paddings: int seq,
                ?dilation: int,
                ?dilations: int seq,
                ?groups: int
            ) =
            let op = "conv2d"

            Tensor(
                Convolution.convolution
                    op
                    2
                    x.Value
                    weight.Value
                    (valueOf bias)
                    (sizes op "stride" 2 stride strides 1L)
                    (sizes op "padding" 2 padding paddings 0L)
                    (sizes op "dilation" 2 dilation dilations 1L)
                    (int64 (defaultArg groups 1))
            )

        /// 1-d transposed convolution (the adjoint of conv1d in its input) of x: (N, C_in, L) with
        /// weight: (C_in, C_out / groups, K) plus bias: (C_out) -> (N, C_out, L_out),
        /// L_out = (L - 1) stride - 2 padding + dilation (K - 1) + outputPadding + 1.
        static member convTranspose1d
            (
                x: Tensor,
                weight: Tensor,
                ?bias: Tensor,
                ?stride: int,
                ?padding: int,
                ?outputPadding: int,
                ?dilation: int,
                ?groups: int
            ) =
            let op = "convTranspose1d"

            Tensor(
                Convolution.transposedConvolution
                    op
                    1
                    x.Value
                    weight.Value
                    (valueOf bias)
                    (sizes op "stride" 1 stride None 1L)
                    (sizes op "padding" 1 padding None 0L)
                    (sizes op "outputPadding" 1 outputPadding None 0L)
                    (sizes op "dilation" 1 dilation None 1L)
                    (int64 (defaultArg groups 1))
            )

        /// 2-d transposed convolution (the adjoint of conv2d in its input) of x: (N, C_in, H, W) with
        /// weight: (C_in, C_out / groups, kH, kW) plus bias: (C_out) -> (N, C_out, H_out, W_out),
        /// H_out = (H - 1) stride - 2 padding + dilation (kH - 1) + outputPadding + 1.
        static member convTranspose2d
            (
                x: Tensor,
                weight: Tensor,
                ?bias: Tensor,
                ?stride: int,
                ?strides: int seq,
                ?padding: int,
                ?paddings: int seq,
                ?outputPadding: int,
                ?outputPaddings: int seq,
                ?dilation: int,
                ?dilations: int seq,
                ?groups: int
            ) =
            let op = "convTranspose2d"

            Tensor(
                Convolution.transposedConvolution
                    op
                    2
                    x.Value
                    weight.Value
                    (valueOf bias)
                    (sizes op "stride" 2 stride strides 1L)
                    (sizes op "padding" 2 padding paddings 0L)
                    (sizes op "outputPadding" 2 outputPadding outputPaddings 0L)
                    (sizes op "dilation" 2 dilation dilations 1L)
                    (int64 (defaultArg groups 1))
            )

        /// 1-d convolution of this (N, C_in, L) tensor with weight: (C_out, C_in / groups, K); see Tensor.conv1d.
        member x.Conv1d
            (weight: Tensor, ?bias: Tensor, ?stride: int, ?padding: int, ?dilation: int, ?groups: int)
            =
            Tensor.conv1d (
                x,
                weight,
                ?bias = bias,
                ?stride = stride,
                ?padding = padding,
                ?dilation = dilation,
                ?groups = groups
            )

        /// 2-d convolution of this (N, C_in, H, W) tensor with weight: (C_out, C_in / groups, kH, kW); see Tensor.conv2d.
        member x.Conv2d
            (
                weight: Tensor,
                ?bias: Tensor,
                ?stride: int,
                ?strides: int seq,
                ?padding: int,
                ?paddings: int seq,
                ?dilation: int,
                ?dilations: int seq,
                ?groups: int
            ) =
            Tensor.conv2d (
                x,
                weight,
                ?bias = bias,
                ?stride = stride,
                ?strides = strides,
                ?padding = padding,
                ?paddings = paddings,
                ?dilation = dilation,
                ?dilations = dilations,
                ?groups = groups
            )

        /// 1-d transposed convolution of this (N, C_in, L) tensor with weight: (C_in, C_out / groups, K); see Tensor.convTranspose1d.
        member x.ConvTranspose1d
            (
                weight: Tensor,
                ?bias: Tensor,
                ?stride: int,
                ?padding: int,
                ?outputPadding: int,
                ?dilation: int,
                ?groups: int
            ) =
            Tensor.convTranspose1d (
                x,
                weight,
                ?bias = bias,
                ?stride = stride,
                ?padding = padding,
                ?outputPadding = outputPadding,
                ?dilation = dilation,
                ?groups = groups
            )

        /// 2-d transposed convolution of this (N, C_in, H, W) tensor with weight: (C_in, C_out / groups, kH, kW); see Tensor.convTranspose2d.
        member x.ConvTranspose2d
            (
                weight: Tensor,
                ?bias: Tensor,
                ?stride: int,
                ?strides: int seq,
                ?padding: int,
                ?paddings: int seq,
                ?outputPadding: int,
                ?outputPaddings: int seq,
                ?dilation: int,
                ?dilations: int seq,
                ?groups: int
            ) =
            Tensor.convTranspose2d (
                x,
                weight,
                ?bias = bias,
                ?stride = stride,
                ?strides = strides,
                ?padding = padding,
                ?paddings = paddings,
                ?outputPadding = outputPadding,
                ?outputPaddings = outputPaddings,
                ?dilation = dilation,
                ?dilations = dilations,
                ?groups = groups
            )
