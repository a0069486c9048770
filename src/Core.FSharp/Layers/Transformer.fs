namespace Functional

/// The Transformer encoder layer (PyTorch's TransformerEncoderLayer, batch_first=True): self-attention and a
/// feed-forward block, each with dropout, a residual connection and layer norm (after, or before if normFirst).
/// Parameters as PyTorch names them: "self_attn.*", "linear1.*", "linear2.*", "norm1.*", "norm2.*".
module Transformer =
    /// The hyperparameters of an encoder layer.
    [<NoEquality; NoComparison>]
    type EncoderSpec =
        {
            /// Number of attention heads (dividing the model size).
            NumHeads: int
            /// Width of the feed-forward block.
            DimFeedforward: int
            /// Dropout rate (attention weights, after attention, inside and after the feed-forward block).
            Dropout: float
            /// The feed-forward activation (relu in PyTorch's default).
            Activation: Tensor -> Tensor
            /// Layer norm epsilon (1e-5).
            LayerNormEps: float
            /// Pre-norm (x + f(norm x)) instead of post-norm (norm(x + f x)).
            NormFirst: bool
        }

    /// Parameters of an encoder layer with model size `dModel`, initialized as PyTorch does.
    let initParams (rng: Rng) (dModel: int) (spec: EncoderSpec) : Params =
        let norm () =
            Params.group
                [
                    "weight", Leaf(Tensor.ones [ dModel ])
                    "bias", Leaf(Tensor.zeros [ dModel ])
                ]

        Params.group
            [
                "self_attn", Attention.initParams (Rng.fold 0 rng) dModel true
                "linear1", Dense.initParams (Rng.fold 1 rng) dModel spec.DimFeedforward true None None
                "linear2", Dense.initParams (Rng.fold 2 rng) spec.DimFeedforward dModel true None None
                "norm1", norm ()
                "norm2", norm ()
            ]

    /// One encoder layer over x (N, T, E) with optional attention and key padding masks (see `Attention`).
    let encoderLayer
        (spec: EncoderSpec)
        (mode: Mode)
        (p: Params)
        (x: Tensor)
        (attnMask: Tensor option)
        (keyPaddingMask: Tensor option)
        : Tensor =
        let drop (i: int) (t: Tensor) =
            Dropout.inMode spec.Dropout (Model.childMode mode i) t

        let selfAttention (t: Tensor) =
            let y, _ =
                Attention.forward
                    spec.NumHeads
                    spec.Dropout
                    (Model.childMode mode 0)
                    (Model.sub "self_attn" p)
                    t
                    t
                    t
                    attnMask
                    keyPaddingMask

            drop 1 y

        let feedForward (t: Tensor) =
            let h = spec.Activation(Dense.forward (Model.sub "linear1" p) t)
            drop 3 (Dense.forward (Model.sub "linear2" p) (drop 2 h))

        let norm (name: string) (t: Tensor) =
            Norm.layerNorm spec.LayerNormEps 1 (Model.sub name p) t

        if spec.NormFirst then
            let x = x + selfAttention (norm "norm1" x)
            x + feedForward (norm "norm2" x)
        else
            let x = norm "norm1" (x + selfAttention x)
            norm "norm2" (x + feedForward x)

    /// An encoder layer as a model over sequences [T; E] -> [T; E] (with a causal mask if `causal`).
    let layer (spec: EncoderSpec) (causal: bool) : Model =
        if spec.NumHeads < 1 || spec.DimFeedforward < 1 then
            Errors.fail
                "transformerEncoderLayer"
                $"numHeads = {spec.NumHeads} and dimFeedforward = {spec.DimFeedforward} must be positive"
                "Pass the number of heads and the feed-forward width."

        Dropout.checkRate spec.Dropout

        Model.createStateful
            $"TransformerEncoderLayer({spec.NumHeads} heads, ff {spec.DimFeedforward})"
            (fun rng shape ->
                if shape.Length <> 2 then
                    Errors.fail
                        "transformerEncoderLayer"
                        $"expected a per-example input shape [T; E] (time steps, model size), got {Model.shapeText shape}"
                        "Pass sequences batch first: (N, T, E)."

                if shape[1] % spec.NumHeads <> 0 then
                    Errors.fail
                        "transformerEncoderLayer"
                        $"the model size {shape[1]} is not divisible by numHeads = {spec.NumHeads}"
                        "Use a number of heads that divides the model size."

                initParams rng shape[1] spec, Params.empty, shape)
            (fun p s mode x ->
                let mask =
                    if causal && x.Rank >= 2 then
                        Some(Attention.causalMask x.Shape[1])
                    else
                        None

                encoderLayer spec mode p x mask None, s)

/// The layer constructors `Layers.transformerEncoderLayer` and `Layers.transformerEncoder`.
[<AutoOpen>]
module TransformerLayers =
    let private spec
        numHeads
        dimFeedforward
        dropout
        activation
        layerNormEps
        normFirst
        : Transformer.EncoderSpec =
        {
            NumHeads = numHeads
            DimFeedforward = dimFeedforward
            Dropout = defaultArg dropout 0.1
            Activation = defaultArg activation Tensor.relu
            LayerNormEps = defaultArg layerNormEps 1e-5
            NormFirst = defaultArg normFirst false
        }

    type Layers with
        /// A Transformer encoder layer over sequences [T; E] -> [T; E] with PyTorch's defaults (dropout 0.1,
        /// relu, eps 1e-5, post-norm); a causal mask if `causal`.
        [<CompiledName("TransformerEncoderLayer")>]
        static member transformerEncoderLayer
            (
                numHeads: int,
                dimFeedforward: int,
                ?dropout: float,
                ?activation: Tensor -> Tensor,
                ?layerNormEps: float,
                ?normFirst: bool,
                ?causal: bool
            ) =
            Transformer.layer
                (spec numHeads dimFeedforward dropout activation layerNormEps normFirst)
                (defaultArg causal false)

        /// `numLayers` encoder layers in sequence (parameters "layers.0.*", "layers.1.*", ... as PyTorch's
        /// TransformerEncoder; each layer initialized independently).
        [<CompiledName("TransformerEncoder")>]
        static member transformerEncoder
            (
                numLayers: int,
                numHeads: int,
                dimFeedforward: int,
                ?dropout: float,
                ?activation: Tensor -> Tensor,
                ?layerNormEps: float,
                ?normFirst: bool,
                ?causal: bool
            ) =
            if numLayers < 1 then
                Errors.fail
                    "transformerEncoder"
                    $"numLayers = {numLayers} is not positive"
                    "Pass at least one layer."

            let one =
                Transformer.layer
                    (spec numHeads dimFeedforward dropout activation layerNormEps normFirst)
                    (defaultArg causal false)

            Model.nest "layers" (Model.sequential (List.replicate numLayers one))
            |> Model.rename $"TransformerEncoder({numLayers} layers)"
