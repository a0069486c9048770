namespace Functional

/// Dense (fully connected, PyTorch's Linear) layers: y = x Wᵀ + b on the last dimension.
module Dense =
    /// Parameters of a dense layer from `inFeatures` to `outFeatures`: weight [out; in] and bias [out]
    /// (PyTorch's layout and default U(-1/√in, 1/√in) for both unless initializers are given).
    let initParams
        (rng: Rng)
        (inFeatures: int)
        (outFeatures: int)
        (bias: bool)
        (weightInit: Initializer option)
        (biasInit: Initializer option)
        : Params =
        let w =
            (defaultArg weightInit Init.torchDefault) (Rng.fold 0 rng) [| outFeatures; inFeatures |]

        if bias then
            let b =
                (defaultArg biasInit (Init.torchBias inFeatures)) (Rng.fold 1 rng) [| outFeatures |]

            Params.group [ "weight", Leaf w; "bias", Leaf b ]
        else
            Params.group [ "weight", Leaf w ]

    /// x Wᵀ + b for x of shape [..; in] with the parameters "weight" [out; in] and optional "bias" [out].
    let forward (p: Params) (x: Tensor) : Tensor =
        let w = Model.param "dense" "weight" p

        if x.Rank < 1 || x.Shape[x.Rank - 1] <> w.Shape[1] then
            Errors.fail
                "dense"
                $"expected an input whose last dimension is {w.Shape[1]} (the in-features of weight {Model.shapeText w.Shape}), got shape {Model.shapeText x.Shape}"
                "Check the input shape the model was initialized for (flatten images first)."

        if x.Dtype <> w.Dtype then
            Errors.fail
                "dense"
                $"the input is {x.Dtype} but the weight is {w.Dtype}"
                "Convert the input with Tensor.toDtype (or initialize the model in the input's dtype)."

        match Model.tryParam "bias" p with
        | Some b when b.Shape = [| w.Shape[0] |] ->
            Tensor(Functional.Ops.LinearAlgebra.linearWithBias x.Value w.Value b.Value)
        | Some b -> Tensor(Functional.Ops.LinearAlgebra.linear x.Value w.Value) + b
        | None -> Tensor(Functional.Ops.LinearAlgebra.linear x.Value w.Value)

/// The layer constructors `Layers.dense` and `Layers.linear`.
[<AutoOpen>]
module DenseLayers =
    type Layers with
        /// A dense layer with `outFeatures` outputs; in-features are inferred from the input's last dimension
        /// ([..; in] -> [..; out]). Parameters "weight" [out; in], "bias" [out]; PyTorch's default init.
        [<CompiledName("Dense")>]
        static member dense(outFeatures: int, ?bias: bool, ?weightInit: Initializer, ?biasInit: Initializer) =
            if outFeatures < 1 then
                Errors.fail
                    "dense"
                    $"outFeatures = {outFeatures} is not positive"
                    "Pass at least one output feature."

            let useBias = defaultArg bias true

            Model.create
                $"Dense({outFeatures})"
                (fun rng shape ->
                    if shape.Length < 1 then
                        Errors.fail
                            "dense"
                            "expected an input with at least one dimension per example, got a scalar"
                            "Give the per-example shape, e.g. [784]."

                    let inFeatures = shape[shape.Length - 1]
                    let p = Dense.initParams rng inFeatures outFeatures useBias weightInit biasInit
                    p, Array.append shape[.. shape.Length - 2] [| outFeatures |])
                Dense.forward

        /// Same as `dense` (PyTorch's name).
        [<CompiledName("Linear")>]
        static member linear
            (outFeatures: int, ?bias: bool, ?weightInit: Initializer, ?biasInit: Initializer)
            =
            Layers.dense (outFeatures, ?bias = bias, ?weightInit = weightInit, ?biasInit = biasInit)
