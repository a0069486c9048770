namespace Functional

/// Normalization layers: batch norm (PyTorch's BatchNorm1d/2d, running statistics in the state) and
/// layer norm. Parameters "weight" (γ, init 1) and "bias" (β, init 0); state "running_mean" (init 0) and
/// "running_var" (init 1), as PyTorch names them.
module Norm =
    /// Mean over every dimension except dimension 1 (the channels), kept as size 1.
    let private channelMean (x: Tensor) =
        let mutable m = Tensor.mean (x, 0, true)

        for d in 2 .. x.Rank - 1 do
            m <- Tensor.mean (m, d, true)

        m

    /// Batch norm of x: (N, C, ...): y = (x - μ) / √(σ² + eps) · γ + β. When `training`, μ and σ² (biased)
    /// are the batch statistics and the state's running statistics move by `momentum` towards μ and the
    /// unbiased σ²; otherwise the running statistics are used and the state is returned unchanged.
    let batchNorm
        (eps: float)
        (momentum: float)
        (training: bool)
        (p: Params)
        (s: State)
        (x: Tensor)
        : Tensor * State =
        if x.Rank < 2 then
            Errors.fail
                "batchNorm"
                $"expected an input of shape (N, C, ...), got {Model.shapeText x.Shape}"
                "Pass a batch with a channel dimension."

        let c = x.Shape[1]
        let statShape = Array.init x.Rank (fun d -> if d = 1 then c else 1)
        let gamma = Model.tryParam "weight" p
        let beta = Model.tryParam "bias" p

        match gamma with
        | Some g when g.Shape <> [| c |] ->
            Errors.fail
                "batchNorm"
                $"the input has {c} channels (shape {Model.shapeText x.Shape}) but weight has shape {Model.shapeText g.Shape}"
                "Pass a batch with the channel count the layer was initialized for."
        | _ -> ()

        let running = Model.tryParam "running_mean" s, Model.tryParam "running_var" s

        let mean, var, state =
            match training, running with
            | true, _ ->
                if x.NumElements / max c 1 <= 1 then
                    Errors.fail
                        "batchNorm"
                        $"training needs more than one value per channel, got input shape {Model.shapeText x.Shape}"
                        "Use a batch of two or more examples (or spatial positions)."

                let mean = channelMean x
                let centered = x - mean
                let var = channelMean (centered * centered)

                let state =
                    match running with
                    | Some rm, Some rv ->
                        let n = float (x.NumElements / c)
                        let m = Diff.stopGradient (Tensor.reshape (mean, [ c ]))
                        let v = Diff.stopGradient (Tensor.reshape (var, [ c ])) * (n / (n - 1.0))

                        Params.group
                            [
                                "running_mean", Leaf((1.0 - momentum) * rm + momentum * m)
                                "running_var", Leaf((1.0 - momentum) * rv + momentum * v)
                            ]
                    | _ -> s

                mean, var, state
            | false, (Some rm, Some rv) -> Tensor.reshape (rm, statShape), Tensor.reshape (rv, statShape), s
            | false, _ ->
                Errors.fail
                    "batchNorm"
                    "evaluation mode needs the running statistics, but the state has no 'running_mean'/'running_var'"
                    "Use Model.initWithState and pass the state to Model.applyWith (Model.apply passes an empty state)."

        let y = (x - mean) / Tensor.sqrt (var + eps)

        let y =
            match gamma with
            | Some g -> y * Tensor.reshape (g, statShape)
            | None -> y

        let y =
            match beta with
            | Some b -> y + Tensor.reshape (b, statShape)
            | None -> y

        y, state

    /// Layer norm over the last `dims` dimensions: y = (x - μ) / √(σ² + eps) · γ + β with μ, σ² (biased)
    /// of each example's last `dims` dimensions and optional "weight"/"bias" of those dimensions' shape.
    let layerNorm (eps: float) (dims: int) (p: Params) (x: Tensor) : Tensor =
        if x.Rank < dims then
            Errors.fail
                "layerNorm"
                $"the input shape {Model.shapeText x.Shape} has fewer than {dims} dimensions to normalize"
                "Normalize over at most the input's rank."

        let normalized = x.Shape[x.Rank - dims ..]

        let checkShape (t: Tensor) =
            if t.Shape <> normalized then
                Errors.fail
                    "layerNorm"
                    $"expected an input ending in {Model.shapeText t.Shape} (the normalized shape), got {Model.shapeText x.Shape}"
                    "Pass inputs of the shape the layer was initialized for."

        let flat = Tensor.flatten (x, x.Rank - dims)
        let mean = Tensor.mean (flat, -1, true)
        let centered = flat - mean
        let var = Tensor.mean (centered * centered, -1, true)
        let y = Tensor.reshape (centered / Tensor.sqrt (var + eps), x.Shape)

        let y =
            match Model.tryParam "weight" p with
            | Some g ->
                checkShape g
                y * g
            | None -> y

        match Model.tryParam "bias" p with
        | Some b ->
            checkShape b
            y + b
        | None -> y

/// The layer constructors `Layers.batchNorm` and `Layers.layerNorm`.
[<AutoOpen>]
module NormalizationLayers =
    type Layers with
        /// Batch norm over the channel dimension (per-example [C], [C; L] or [C; H; W]; PyTorch's BatchNorm1d/2d):
        /// eps 1e-5, momentum 0.1; "weight" 1 and "bias" 0 if affine; state "running_mean" 0, "running_var" 1
        /// if trackRunningStats (otherwise batch statistics are used in evaluation too).
        [<CompiledName("BatchNorm")>]
        static member batchNorm(?eps: float, ?momentum: float, ?affine: bool, ?trackRunningStats: bool) =
            let eps = defaultArg eps 1e-5
            let momentum = defaultArg momentum 0.1
            let affine = defaultArg affine true
            let track = defaultArg trackRunningStats true

            Model.createStateful
                "BatchNorm"
                (fun _ shape ->
                    if shape.Length < 1 || shape.Length > 3 then
                        Errors.fail
                            "batchNorm"
                            $"expected a per-example input shape [C], [C; L] or [C; H; W], got {Model.shapeText shape}"
                            "Normalize features or feature maps."

                    let c = shape[0]

                    let p =
                        if affine then
                            Params.group
                                [ "weight", Leaf(Tensor.ones [ c ]); "bias", Leaf(Tensor.zeros [ c ]) ]
                        else
                            Params.empty

                    let s =
                        if track then
                            Params.group
                                [
                                    "running_mean", Leaf(Tensor.zeros [ c ])
                                    "running_var", Leaf(Tensor.ones [ c ])
                                ]
                        else
                            Params.empty

                    p, s, shape)
                (fun p s mode x ->
                    let training =
                        match mode with
                        | Mode.Train _ -> true
                        | Mode.Eval -> not track

                    Norm.batchNorm eps momentum training p s x)

        /// Layer norm over each example's last `normalizedDims` dimensions (default 1; PyTorch's LayerNorm):
        /// eps 1e-5; "weight" 1 and "bias" 0 of the normalized shape if elementwiseAffine.
        [<CompiledName("LayerNorm")>]
        static member layerNorm(?eps: float, ?elementwiseAffine: bool, ?normalizedDims: int) =
            let eps = defaultArg eps 1e-5
            let dims = defaultArg normalizedDims 1

            Model.create
                "LayerNorm"
                (fun _ shape ->
                    if dims < 1 || shape.Length < dims then
                        Errors.fail
                            "layerNorm"
                            $"cannot normalize the last {dims} dimensions of the per-example shape {Model.shapeText shape}"
                            "Use 1 <= normalizedDims <= the input's rank."

                    let normalized = shape[shape.Length - dims ..]

                    let p =
                        if defaultArg elementwiseAffine true then
                            Params.group
                                [
                                    "weight", Leaf(Tensor.ones normalized)
                                    "bias", Leaf(Tensor.zeros normalized)
                                ]
                        else
                            Params.empty

                    p, shape)
                (Norm.layerNorm eps dims)
