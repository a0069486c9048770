namespace Functional

/// Multi-head attention (PyTorch's MultiheadAttention with batch_first=True): parameters "in_proj_weight"
/// [3E; E] (query, key, value projections stacked; Xavier uniform), "in_proj_bias" [3E] (zeros),
/// "out_proj.weight" [E; E] (PyTorch's Linear default) and "out_proj.bias" [E] (zeros).
///
/// Masks follow PyTorch: an attention mask is [L; S] or [N·heads; L; S], Bool (true = may NOT attend) or
/// float (added to the scores); a key padding mask is [N; S], Bool (true = padding, ignored) or float.
module Attention =
    /// The Bool mask [n; n] that forbids attending to later positions (true above the diagonal).
    let causalMask (n: int) : Tensor =
        Tensor.create (Array2D.init n n (fun i j -> j > i))

    /// A mask as an additive float mask of the scores' dtype: Bool true -> -∞, false -> 0; float masks as they are.
    let private additive (dtype: Dtype) (mask: Tensor) =
        if mask.Dtype = Bool then
            Diff.stopGradient (Tensor.log (1.0 - mask.ToDtype dtype))
        else
            mask.ToDtype dtype

    /// softmax(q kᵀ / √d + mask) v for q (.., L, d), k (.., S, d), v (.., S, dv), with dropout on the weights
    /// in training mode; returns the output (.., L, dv) and the attention weights (.., L, S).
    let scaledDotProduct
        (dropout: float)
        (mode: Mode)
        (mask: Tensor option)
        (q: Tensor)
        (k: Tensor)
        (v: Tensor)
        : Tensor * Tensor =
        let d = q.Shape[q.Rank - 1]
        let scores = Tensor.matmul (q / sqrt (float d), Tensor.transpose (k, -2, -1))

        let scores =
            match mask with
            | Some m -> scores + additive scores.Dtype m
            | None -> scores

        let weights = Tensor.softmax (scores, -1)
        let dropped = Dropout.inMode dropout mode weights
        Tensor.matmul (dropped, v), weights

    /// Parameters of multi-head attention for embedding size `embedDim`, as PyTorch initializes them.
    let initParams (rng: Rng) (embedDim: int) (bias: bool) : Params =
        let inW = Init.xavierUniform (Rng.fold 0 rng) [| 3 * embedDim; embedDim |]
        let outW = Init.torchDefault (Rng.fold 1 rng) [| embedDim; embedDim |]

        if bias then
            Params.group
                [
                    "in_proj_weight", Leaf inW
                    "in_proj_bias", Leaf(Tensor.zeros [ 3 * embedDim ])
                    "out_proj", Params.group [ "weight", Leaf outW; "bias", Leaf(Tensor.zeros [ embedDim ]) ]
                ]
        else
            Params.group [ "in_proj_weight", Leaf inW; "out_proj", Params.group [ "weight", Leaf outW ] ]

    /// Multi-head attention of query (N, L, E) over key (N, S, E) and value (N, S, E) with `numHeads` heads,
    /// optional masks, and dropout on the attention weights in training mode: output (N, L, E) and the
    /// attention weights of every head (N, heads, L, S) (PyTorch's need_weights averages them over the heads).
    let forward
        (numHeads: int)
        (dropout: float)
        (mode: Mode)
        (p: Params)
        (query: Tensor)
        (key: Tensor)
        (value: Tensor)
        (attnMask: Tensor option)
        (keyPaddingMask: Tensor option)
        : Tensor * Tensor =
        let op = "multiHeadAttention"
        let w = Model.param op "in_proj_weight" p
        let e = w.Shape[1]

        let checkInput (what: string) (t: Tensor) =
            if t.Rank <> 3 || t.Shape[2] <> e then
                Errors.fail
                    op
                    $"expected the {what} to have shape (N, length, {e}) (batch first), got {Model.shapeText t.Shape}"
                    "Pass batches of sequences of the embedding size the layer was initialized for."

        checkInput "query" query
        checkInput "key" key
        checkInput "value" value

        if
            key.Shape[0] <> query.Shape[0]
            || value.Shape[0] <> query.Shape[0]
            || key.Shape[1] <> value.Shape[1]
        then
            Errors.fail
                op
                $"query {Model.shapeText query.Shape}, key {Model.shapeText key.Shape} and value {Model.shapeText value.Shape} do not fit together"
                "Use the same batch size, and keys and values of the same length."

        if numHeads < 1 || e % numHeads <> 0 then
            Errors.fail
                op
                $"the embedding size {e} is not divisible by numHeads = {numHeads}"
                "Use a number of heads that divides the embedding size."

        let n, l, s = query.Shape[0], query.Shape[1], key.Shape[1]
        let hd = e / numHeads
        let ws = Tensor.chunk (w, 3, 0)

        let bs =
            match Model.tryParam "in_proj_bias" p with
            | Some b -> Tensor.chunk (b, 3, 0) |> Array.map Some
            | None -> [| None; None; None |]

        let project (x: Tensor) (i: int) (len: int) =
            let y = Tensor.matmul (x, ws[i].T)

            let y =
                match bs[i] with
                | Some b -> y + b
                | None -> y

            Tensor.transpose (Tensor.reshape (y, [ n; len; numHeads; hd ]), 1, 2)

        let q = project query 0 l
        let k = project key 1 s
        let v = project value 2 s

        let mask =
            let am =
                attnMask
                |> Option.map (fun m ->
                    if m.Shape = [| l; s |] then
                        additive q.Dtype m
                    elif m.Shape = [| n * numHeads; l; s |] then
                        Tensor.reshape (additive q.Dtype m, [ n; numHeads; l; s ])
                    else
                        Errors.fail
                            op
                            $"the attention mask has shape {Model.shapeText m.Shape}, expected [{l}; {s}] or [{n * numHeads}; {l}; {s}]"
                            "Pass a mask of (target length, source length), or one per batch element and head.")

            let kp =
                keyPaddingMask
                |> Option.map (fun m ->
                    if m.Shape <> [| n; s |] then
                        Errors.fail
                            op
                            $"the key padding mask has shape {Model.shapeText m.Shape}, expected [{n}; {s}]"
                            "Pass one flag per batch element and key position."

                    Tensor.reshape (additive q.Dtype m, [ n; 1; 1; s ]))

            match am, kp with
            | Some a, Some b -> Some(a + b)
            | Some a, None -> Some a
            | None, b -> b

        let out, weights = scaledDotProduct dropout mode mask q k v
        let merged = Tensor.reshape (Tensor.transpose (out, 1, 2), [ n; l; e ])
        Dense.forward (Model.sub "out_proj" p) merged, weights

    /// Multi-head attention in evaluation mode (no dropout): output (N, L, E).
    let multiHead
        (numHeads: int)
        (p: Params)
        (query: Tensor)
        (key: Tensor)
        (value: Tensor)
        (attnMask: Tensor option)
        (keyPaddingMask: Tensor option)
        : Tensor =
        fst (forward numHeads 0.0 Mode.Eval p query key value attnMask keyPaddingMask)

/// The layer constructors `Layers.selfAttention`.
[<AutoOpen>]
module AttentionLayers =
    type Layers with
        /// Multi-head self-attention over sequences [T; E] -> [T; E] (E inferred, divisible by numHeads), with a
        /// causal mask if `causal` and dropout on the attention weights in training. For cross-attention or
        /// per-batch padding masks use `Attention.forward`.
        [<CompiledName("SelfAttention")>]
        static member selfAttention(numHeads: int, ?causal: bool, ?dropout: float, ?bias: bool) =
            let dropout = defaultArg dropout 0.0
            Dropout.checkRate dropout
            let causal = defaultArg causal false

            Model.createStateful
                $"SelfAttention({numHeads} heads)"
                (fun rng shape ->
                    if shape.Length <> 2 then
                        Errors.fail
                            "multiHeadAttention"
                            $"expected a per-example input shape [T; E] (time steps, embedding), got {Model.shapeText shape}"
                            "Pass sequences batch first: (N, T, E)."

                    if numHeads < 1 || shape[1] % numHeads <> 0 then
                        Errors.fail
                            "multiHeadAttention"
                            $"the embedding size {shape[1]} is not divisible by numHeads = {numHeads}"
                            "Use a number of heads that divides the embedding size."

                    Attention.initParams rng shape[1] (defaultArg bias true), Params.empty, shape)
                (fun p s mode x ->
                    let mask =
                        if causal && x.Rank >= 2 then
                            Some(Attention.causalMask x.Shape[1])
                        else
                            None

                    fst (Attention.forward numHeads dropout mode p x x x mask None), s)
