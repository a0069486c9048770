namespace Functional

open Functional.Ops

/// Pooling as `Tensor.maxPool2d (x, 2)` and `x.MaxPool2d 2`, with PyTorch's layouts and output sizes.
/// A per-dimension parameter has a scalar form (`kernelSize = 3`, every dimension) and a sequence form
/// (`kernelSizes = [3; 1]`, one value per dimension); give at most one. The stride defaults to the kernel size.
[<AutoOpen>]
module PoolingMembers =
    /// Per-dimension values from the scalar and sequence forms, `fallback` if neither.
    let private sizes op name nd (one: int option) (seq: int seq option) (fallback: int64[]) =
        Window.resolve op name nd one seq fallback

    /// The kernel size, which has no default.
    let private kernelOf op nd (one: int option) (seq: int seq option) =
        if one.IsNone && seq.IsNone then
            Errors.fail
                op
                "no kernel size given"
                "Pass kernelSize (every dimension) or kernelSizes (one per dimension)."

        sizes op "kernelSize" nd one seq [||]

    type Tensor with
        /// 1-d max pooling of x: (N, C, L) -> (N, C, L_out), L_out = ⌊(L + 2 padding - dilation (kernelSize - 1) - 1) / stride⌋ + 1
        /// (rounded up with ceilMode); windows are padded with -∞ and the derivative flows to each window's maximum.
        static member maxPool1d
            (x: Tensor, kernelSize: int, ?stride: int, ?padding: int, ?dilation: int, ?ceilMode: bool)
            =
            let op = "maxPool1d"
            let kernel = [| int64 kernelSize |]

            Tensor(
                Pooling.maxPool
                    op
                    1
                    x.Value
                    kernel
                    (sizes op "stride" 1 stride None kernel)
                    (sizes op "padding" 1 padding None [| 0L |])
                    (sizes op "dilation" 1 dilation None [| 1L |])
                    (defaultArg ceilMode false)
            )

        /// 2-d max pooling of x: (N, C, H, W) -> (N, C, H_out, W_out), H_out = ⌊(H + 2 padding - dilation (kH - 1) - 1) / stride⌋ + 1
        /// (rounded up with ceilMode); windows are padded with -∞ and the derivative flows to each window's maximum.
        static member maxPool2d
            (
                x: Tensor,
                ?kernelSize: int,
                ?kernelSizes: int seq,
                ?stride: int,
                ?strides: int seq,
                ?padding: int,
                ?paddings: int seq,
                ?dilation: int,
                ?dilations: int seq,
                ?ceilMode: bool
            ) =
            let op = "maxPool2d"
            let kernel = kernelOf op 2 kernelSize kernelSizes

            Tensor(
                Pooling.maxPool
                    op
                    2
                    x.Value
                    kernel
                    (sizes op "stride" 2 stride strides kernel)
                    (sizes op "padding" 2 padding paddings [| 0L; 0L |])
                    (sizes op "dilation" 2 dilation dilations [| 1L; 1L |])
                    (defaultArg ceilMode false)
            )

        /// 1-d average pooling of x: (N, C, L) -> (N, C, L_out), L_out = ⌊(L + 2 padding - kernelSize) / stride⌋ + 1 (rounded up
        /// with ceilMode); countIncludePad (default true) counts the padded zeros in each window's divisor.
        static member avgPool1d
            (x: Tensor, kernelSize: int, ?stride: int, ?padding: int, ?ceilMode: bool, ?countIncludePad: bool)
            =
            let op = "avgPool1d"
            let kernel = [| int64 kernelSize |]

            Tensor(
                Pooling.avgPool
                    op
                    1
                    x.Value
                    kernel
                    (sizes op "stride" 1 stride None kernel)
                    (sizes op "padding" 1 padding None [| 0L |])
                    (defaultArg ceilMode false)
                    (defaultArg countIncludePad true)
            )

        /// 2-d average pooling of x: (N, C, H, W) -> (N, C, H_out, W_out), H_out = ⌊(H + 2 padding - kH) / stride⌋ + 1 (rounded up
        /// with ceilMode); countIncludePad (default true) counts the padded zeros in each window's divisor.
        static member avgPool2d
            (
                x: Tensor,
                ?kernelSize: int,
                ?kernelSizes: int seq,
                ?stride: int,
                ?strides: int seq,
                ?padding: int,
                ?paddings: int seq,
                ?ceilMode: bool,
                ?countIncludePad: bool
            ) =
            let op = "avgPool2d"
            let kernel = kernelOf op 2 kernelSize kernelSizes

            Tensor(
                Pooling.avgPool
                    op
                    2
                    x.Value
                    kernel
                    (sizes op "stride" 2 stride strides kernel)
                    (sizes op "padding" 2 padding paddings [| 0L; 0L |])
                    (defaultArg ceilMode false)
                    (defaultArg countIncludePad true)
            )

        /// 1-d max pooling of this (N, C, L) tensor; see Tensor.maxPool1d.
        member x.MaxPool1d(kernelSize: int, ?stride: int, ?padding: int, ?dilation: int, ?ceilMode: bool) =
            Tensor.maxPool1d (
                x,
                kernelSize,
                ?stride = stride,
                ?padding = padding,
                ?dilation = dilation,
                ?ceilMode = ceilMode
            )

        /// 2-d max pooling of this (N, C, H, W) tensor; see Tensor.maxPool2d.
        member x.MaxPool2d
            (
                ?kernelSize: int,
                ?kernelSizes: int seq,
                ?stride: int,
                ?strides: int seq,
                ?padding: int,
                ?paddings: int seq,
                ?dilation: int,
                ?dilations: int seq,
                ?ceilMode: bool
            ) =
            Tensor.maxPool2d (
                x,
                ?kernelSize = kernelSize,
                ?kernelSizes = kernelSizes,
                ?stride = stride,
                ?strides = strides,
                ?padding = padding,
                ?paddings = paddings,
                ?dilation = dilation,
                ?dilations = dilations,
                ?ceilMode = ceilMode
            )

        /// 1-d average pooling of this (N, C, L) tensor; see Tensor.avgPool1d.
        member x.AvgPool1d
            (kernelSize: int, ?stride: int, ?padding: int, ?ceilMode: bool, ?countIncludePad: bool)
            =
            Tensor.avgPool1d (
                x,
                kernelSize,
                ?stride = stride,
                ?padding = padding,
                ?ceilMode = ceilMode,
                ?countIncludePad = countIncludePad
            )

        /// 2-d average pooling of this (N, C, H, W) tensor; see Tensor.avgPool2d.
        member x.AvgPool2d
            (
                ?kernelSize: int,
                ?kernelSizes: int seq,
                ?stride: int,
                ?strides: int seq,
                ?padding: int,
                ?paddings: int seq,
                ?ceilMode: bool,
                ?countIncludePad: bool
            ) =
            Tensor.avgPool2d (
                x,
                ?kernelSize = kernelSize,
                ?kernelSizes = kernelSizes,
                ?stride = stride,
                ?strides = strides,
                ?padding = padding,
                ?paddings = paddings,
                ?ceilMode = ceilMode,
                ?countIncludePad = countIncludePad
            )
