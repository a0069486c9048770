namespace Functional

/// Convolution layers (PyTorch's Conv1d, Conv2d, ConvTranspose2d): parameters "weight" and "bias" in PyTorch's
/// layouts, channels inferred from the input at init, square kernels and equal strides/paddings per dimension.
module Conv =
    /// The hyperparameters of a convolution layer.
    type Spec =
        {
            /// Output channels.
            OutChannels: int
            /// Kernel size in every spatial dimension.
            KernelSize: int
            /// Stride in every spatial dimension.
            Stride: int
            /// Zero padding on both sides of every spatial dimension.
            Padding: int
            /// Extra size added to one side of the output (transposed convolutions only).
            OutputPadding: int
            /// Spacing between kernel elements.
            Dilation: int
            /// Number of channel groups (input and output channels must be divisible by it).
            Groups: int
            /// Whether there is a bias.
            Bias: bool
        }

    /// Output size of a convolution along one dimension: ⌊(n + 2p - d(k - 1) - 1) / s⌋ + 1.
    let outputSize (s: Spec) (n: int) =
        (n + 2 * s.Padding - s.Dilation * (s.KernelSize - 1) - 1) / s.Stride + 1

    /// Output size of a transposed convolution along one dimension: (n - 1)s - 2p + d(k - 1) + outputPadding + 1.
    let transposedOutputSize (s: Spec) (n: int) =
        (n - 1) * s.Stride - 2 * s.Padding
        + s.Dilation * (s.KernelSize - 1)
        + s.OutputPadding
        + 1

    let private checkSpec (layer: string) (s: Spec) =
        let positive (name: string) (v: int) =
            if v < 1 then
                Errors.fail layer $"{name} = {v} is not positive" $"Pass {name} >= 1."

        positive "outChannels" s.OutChannels
        positive "kernelSize" s.KernelSize
        positive "stride" s.Stride
        positive "dilation" s.Dilation
        positive "groups" s.Groups

        if s.Padding < 0 || s.OutputPadding < 0 then
            Errors.fail
                layer
                $"padding {s.Padding} / outputPadding {s.OutputPadding} is negative"
                "Pass sizes >= 0."

        if s.OutChannels % s.Groups <> 0 then
            Errors.fail
                layer
                $"outChannels = {s.OutChannels} is not divisible by groups = {s.Groups}"
                "Use a number of output channels that is a multiple of groups."

    /// Checks a per-example input shape [C; spatial...] at init and returns C.
    let private channelsOf (layer: string) (spatial: int) (s: Spec) (shape: int[]) =
        if shape.Length <> spatial + 1 then
            let expected = if spatial = 1 then "[C; L]" else "[C; H; W]"

            Errors.fail
                layer
                $"expected a per-example input shape {expected} (rank {spatial + 1}), got {Model.shapeText shape}"
                "Reshape the input first (e.g. Layers.reshape [1; 28; 28] for flat images)."

        let c = shape[0]

        if c % s.Groups <> 0 then
            Errors.fail
                layer
                $"the input has {c} channels, which is not divisible by groups = {s.Groups}"
                "Use a number of groups that divides the input channels."

        c

    /// Checks an input batch against the weight's channel count at apply.
    let private checkInput (layer: string) (spatial: int) (channels: int) (x: Tensor) =
        if x.Rank <> spatial + 2 || x.Shape[1] <> channels then
            let expected =
                if spatial = 1 then
                    $"(N, {channels}, L)"
                else
                    $"(N, {channels}, H, W)"

            Errors.fail
                layer
                $"expected an input of shape {expected}, got {Model.shapeText x.Shape}"
                "Pass a batch with the channel count the layer was initialized for."

    let private outShape (layer: string) (sizeOf: int -> int) (outChannels: int) (shape: int[]) =
        let spatial = shape[1..] |> Array.map sizeOf

        if spatial |> Array.exists (fun n -> n < 1) then
            Errors.fail
                layer
                $"the input shape {Model.shapeText shape} gives an empty output {Model.shapeText (Array.append [| outChannels |] spatial)}"
                "Use a larger input, a smaller kernel or more padding."

        Array.append [| outChannels |] spatial

    let private initWeightBias
        (rng: Rng)
        (weightShape: int[])
        (s: Spec)
        (wi: Initializer option)
        (bi: Initializer option)
        =
        let w = (defaultArg wi Init.torchDefault) (Rng.fold 0 rng) weightShape
        let fanIn, _ = Init.fans weightShape

        if s.Bias then
            let b = (defaultArg bi (Init.torchBias fanIn)) (Rng.fold 1 rng) [| s.OutChannels |]
            Params.group [ "weight", Leaf w; "bias", Leaf b ]
        else
            Params.group [ "weight", Leaf w ]

    /// The convolution layer (spatial = 1 or 2) for a spec.
    let layer (spatial: int) (s: Spec) (wi: Initializer option) (bi: Initializer option) : Model =
        let name = if spatial = 1 then "conv1d" else "conv2d"
        checkSpec name s
        let title = if spatial = 1 then "Conv1d" else "Conv2d"

        Model.create
            $"{title}({s.OutChannels}, k={s.KernelSize})"
            (fun rng shape ->
                let c = channelsOf name spatial s shape

                let wShape =
                    Array.append [| s.OutChannels; c / s.Groups |] (Array.create spatial s.KernelSize)

                initWeightBias rng wShape s wi bi, outShape name (outputSize s) s.OutChannels shape)
            (fun p x ->
                let w = Model.param name "weight" p
                let b = Model.tryParam "bias" p
                checkInput name spatial (w.Shape[1] * s.Groups) x

                if spatial = 1 then
                    Tensor.conv1d (
                        x,
                        w,
                        ?bias = b,
                        stride = s.Stride,
                        padding = s.Padding,
                        dilation = s.Dilation,
                        groups = s.Groups
                    )
                else
                    Tensor.conv2d (
                        x,
                        w,
                        ?bias = b,
                        stride = s.Stride,
                        padding = s.Padding,
                        dilation = s.Dilation,
                        groups = s.Groups
                    ))

    /// The 2-d transposed convolution layer for a spec: weight [C_in; C_out / groups; k; k].
    let transposedLayer (s: Spec) (wi: Initializer option) (bi: Initializer option) : Model =
        let name = "convTranspose2d"
        checkSpec name s

        if s.OutputPadding >= max s.Stride s.Dilation then
            Errors.fail
                name
                $"outputPadding = {s.OutputPadding} must be smaller than stride ({s.Stride}) or dilation ({s.Dilation})"
                "Use a smaller outputPadding."

        Model.create
            $"ConvTranspose2d({s.OutChannels}, k={s.KernelSize})"
            (fun rng shape ->
                let c = channelsOf name 2 s shape
                let wShape = [| c; s.OutChannels / s.Groups; s.KernelSize; s.KernelSize |]
                initWeightBias rng wShape s wi bi, outShape name (transposedOutputSize s) s.OutChannels shape)
            (fun p x ->
                let w = Model.param name "weight" p
                checkInput name 2 w.Shape[0] x

                Tensor.convTranspose2d (
                    x,
                    w,
                    ?bias = Model.tryParam "bias" p,
                    stride = s.Stride,
                    padding = s.Padding,
                    outputPadding = s.OutputPadding,
                    dilation = s.Dilation,
                    groups = s.Groups
                ))

/// The layer constructors `Layers.conv1d`, `Layers.conv2d` and `Layers.convTranspose2d`.
[<AutoOpen>]
module ConvolutionalLayers =
    let private spec outChannels kernelSize stride padding outputPadding dilation groups bias : Conv.Spec =
        {
            OutChannels = outChannels
            KernelSize = kernelSize
            Stride = defaultArg stride 1
            Padding = defaultArg padding 0
            OutputPadding = defaultArg outputPadding 0
            Dilation = defaultArg dilation 1
            Groups = defaultArg groups 1
            Bias = defaultArg bias true
        }

    type Layers with
        /// 1-d convolution: per-example [C_in; L] -> [C_out; L_out]; weight [C_out; C_in / groups; k], bias [C_out];
        /// PyTorch's default init U(-1/√fanIn, 1/√fanIn).
        [<CompiledName("Conv1d")>]
        static member conv1d
            (
                outChannels: int,
                kernelSize: int,
                ?stride: int,
                ?padding: int,
                ?dilation: int,
                ?groups: int,
                ?bias: bool,
                ?weightInit: Initializer,
                ?biasInit: Initializer
            ) =
            Conv.layer
                1
                (spec outChannels kernelSize stride padding None dilation groups bias)
                weightInit
                biasInit

        /// 2-d convolution: per-example [C_in; H; W] -> [C_out; H_out; W_out]; weight [C_out; C_in / groups; k; k],
        /// bias [C_out]; PyTorch's default init U(-1/√fanIn, 1/√fanIn).
        [<CompiledName("Conv2d")>]
        static member conv2d
            (
                outChannels: int,
                kernelSize: int,
                ?stride: int,
                ?padding: int,
                ?dilation: int,
                ?groups: int,
                ?bias: bool,
                ?weightInit: Initializer,
                ?biasInit: Initializer
            ) =
            Conv.layer
                2
                (spec outChannels kernelSize stride padding None dilation groups bias)
                weightInit
                biasInit

        /// 2-d transposed convolution: [C_in; H; W] -> [C_out; (H - 1)s - 2p + d(k - 1) + outputPadding + 1; ...];
        /// weight [C_in; C_out / groups; k; k], bias [C_out]; PyTorch's default init (fanIn from weight dim 1).
        [<CompiledName("ConvTranspose2d")>]
        static member convTranspose2d
            (
                outChannels: int,
                kernelSize: int,
                ?stride: int,
                ?padding: int,
                ?outputPadding: int,
                ?dilation: int,
                ?groups: int,
                ?bias: bool,
                ?weightInit: Initializer,
                ?biasInit: Initializer
            ) =
            Conv.transposedLayer
                (spec outChannels kernelSize stride padding outputPadding dilation groups bias)
                weightInit
                biasInit
