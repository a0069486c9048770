namespace Functional

/// Pooling layers (PyTorch's MaxPool2d, AvgPool2d, AdaptiveAvgPool to 1): no parameters.
module Pool =
    /// Checks that a per-example shape is [C; H; W] for a 2-d pooling layer.
    let requireImage (layer: string) (shape: int[]) =
        if shape.Length <> 3 then
            Errors.fail
                layer
                $"expected a per-example input shape [C; H; W] (rank 3), got {Model.shapeText shape}"
                "Pool images (e.g. the output of a conv2d layer)."

    /// Checks that a batch has rank 4, (N, C, H, W).
    let requireBatch (layer: string) (x: Tensor) =
        if x.Rank <> 4 then
            Errors.fail
                layer
                $"expected an input of shape (N, C, H, W), got {Model.shapeText x.Shape}"
                "Pass a batch of images."

    /// A parameterless 2-d pooling layer computing `f`, with its output shape inferred at init.
    let layer (name: string) (title: string) (f: Tensor -> Tensor) : Model =
        Model.create
            title
            (fun _ shape ->
                requireImage name shape
                Params.empty, Model.inferShape name f shape)
            (fun _ x ->
                requireBatch name x
                f x)

    /// The mean over all dimensions after the channel dimension: (N, C, ...) -> (N, C).
    let globalAvg (x: Tensor) : Tensor =
        if x.Rank < 3 then
            Errors.fail
                "globalAvgPool"
                $"expected an input of shape (N, C, spatial...) with at least one spatial dimension, got {Model.shapeText x.Shape}"
                "Pass a batch of feature maps, e.g. (N, C, H, W)."

        Tensor.mean (Tensor.flatten (x, 2), 2)

/// The layer constructors `Layers.maxPool2d`, `Layers.avgPool2d` and `Layers.globalAvgPool`.
[<AutoOpen>]
module PoolingLayers =
    type Layers with
        /// 2-d max pooling over k×k windows (stride defaults to k): [C; H; W] -> [C; H_out; W_out] with
        /// H_out = ⌊(H + 2 padding - dilation (k - 1) - 1) / stride⌋ + 1 (rounded up with ceilMode).
        [<CompiledName("MaxPool2d")>]
        static member maxPool2d
            (kernelSize: int, ?stride: int, ?padding: int, ?dilation: int, ?ceilMode: bool)
            =
            let s = defaultArg stride kernelSize

            Pool.layer "maxPool2d" $"MaxPool2d({kernelSize})" (fun x ->
                Tensor.maxPool2d (
                    x,
                    kernelSize = kernelSize,
                    stride = s,
                    padding = defaultArg padding 0,
                    dilation = defaultArg dilation 1,
                    ceilMode = defaultArg ceilMode false
                ))

        /// 2-d average pooling over k×k windows (stride defaults to k): [C; H; W] -> [C; H_out; W_out];
        /// countIncludePad (default true) counts padded zeros in the divisor.
        [<CompiledName("AvgPool2d")>]
        static member avgPool2d
            (kernelSize: int, ?stride: int, ?padding: int, ?ceilMode: bool, ?countIncludePad: bool)
            =
            let s = defaultArg stride kernelSize

            Pool.layer "avgPool2d" $"AvgPool2d({kernelSize})" (fun x ->
                Tensor.avgPool2d (
                    x,
                    kernelSize = kernelSize,
                    stride = s,
                    padding = defaultArg padding 0,
                    ceilMode = defaultArg ceilMode false,
                    countIncludePad = defaultArg countIncludePad true
                ))

        /// The mean of each channel over all spatial positions: [C; spatial...] -> [C].
        static member globalAvgPool =
            Model.create
                "GlobalAvgPool"
                (fun _ shape ->
                    if shape.Length < 2 then
                        Errors.fail
                            "globalAvgPool"
                            $"expected a per-example input shape [C; spatial...] (rank 2 or more), got {Model.shapeText shape}"
                            "Pool feature maps, e.g. the output of a conv layer."

                    Params.empty, [| shape[0] |])
                (fun _ x -> Pool.globalAvg x)
