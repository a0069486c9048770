namespace Functional

/// Embedding tables (PyTorch's Embedding): integer indices -> rows of "weight" [numEmbeddings; dim], init N(0, 1).
module Embedding =
    /// The rows of "weight" at the integer `indices` (any shape [..] -> [..; dim]); with a padding index, that
    /// row gets no gradient (as in PyTorch).
    let lookup (paddingIdx: int option) (p: Params) (indices: Tensor) : Tensor =
        let w = Model.param "embedding" "weight" p

        match indices.Dtype with
        | Int32
        | Int64 -> ()
        | d ->
            Errors.fail
                "embedding"
                $"the indices have dtype {d} (shape {Model.shapeText indices.Shape})"
                "Pass Int64 (or Int32) indices, e.g. x.ToDtype Int64."

        let n = w.Shape[0]

        if indices.NumElements > 0 then
            let lo = (Tensor.min indices).ToDouble()
            let hi = (Tensor.max indices).ToDouble()

            if lo < 0.0 || hi >= float n then
                Errors.fail
                    "embedding"
                    $"the indices range over [{lo}, {hi}] but the table has {n} rows"
                    $"Use indices in [0, {n - 1}]."

        let table =
            match paddingIdx with
            | Some i ->
                // ones with a zero at the padding row, as a column [n; 1] (no n×n identity)
                let mask = Array.init n (fun r -> if r = i then 0.0 else 1.0)
                let keep = Tensor.reshape (Tensor.create (mask, w.Dtype), [ n; 1 ])

                w * keep + Diff.stopGradient w * (1.0 - keep)
            | None -> w

        let flat = Tensor.indexSelect (table, 0, Tensor.reshape (indices, [ -1 ]))
        Tensor.reshape (flat, Array.append indices.Shape [| w.Shape[1] |])

/// The layer constructors `Layers.embedding` and `Layers.positionalEmbedding`.
[<AutoOpen>]
module EmbeddingLayers =
    type Layers with
        /// An embedding table: per-example integer indices [..] -> [..; embeddingDim]; "weight"
        /// [numEmbeddings; embeddingDim] ~ N(0, 1) with the paddingIdx row zero and without gradient.
        [<CompiledName("Embedding")>]
        static member embedding
            (numEmbeddings: int, embeddingDim: int, ?paddingIdx: int, ?weightInit: Initializer)
            =
            if numEmbeddings < 1 || embeddingDim < 1 then
                Errors.fail
                    "embedding"
                    $"numEmbeddings = {numEmbeddings} and embeddingDim = {embeddingDim} must be positive"
                    "Pass the vocabulary size and the vector size."

            let padding =
                paddingIdx
                |> Option.map (fun i ->
                    let i = if i < 0 then i + numEmbeddings else i

                    if i < 0 || i >= numEmbeddings then
                        Errors.fail
                            "embedding"
                            $"paddingIdx = {paddingIdx.Value} is outside the table of {numEmbeddings} rows"
                            $"Use an index in [{-numEmbeddings}, {numEmbeddings - 1}]."

                    i)

            Model.create
                $"Embedding({numEmbeddings}, {embeddingDim})"
                (fun rng shape ->
                    let w =
                        (defaultArg weightInit (Init.normal 0.0 1.0)) rng [| numEmbeddings; embeddingDim |]

                    let w =
                        match padding with
                        | Some i ->
                            w
                            * (Tensor.ones [ numEmbeddings; 1 ] - Tensor.eye(numEmbeddings).Narrow(1, i, 1))
                        | None -> w

                    Params.group [ "weight", Leaf w ], Array.append shape [| embeddingDim |])
                (Embedding.lookup padding)

        /// A learned positional embedding: adds row t of "weight" [maxLength; dim] (init N(0, 1)) to position t of
        /// each sequence [T; dim] (T <= maxLength); the shape is kept.
        [<CompiledName("PositionalEmbedding")>]
        static member positionalEmbedding(maxLength: int, ?weightInit: Initializer) =
            let op = "positionalEmbedding"

            Model.create
                $"PositionalEmbedding({maxLength})"
                (fun rng shape ->
                    if shape.Length <> 2 || shape[0] > maxLength then
                        Errors.fail
                            op
                            $"expected a per-example input shape [T; dim] with T <= maxLength = {maxLength}, got {Model.shapeText shape}"
                            "Pass sequences of embeddings no longer than maxLength."

                    let w = (defaultArg weightInit (Init.normal 0.0 1.0)) rng [| maxLength; shape[1] |]
                    Params.group [ "weight", Leaf w ], shape)
                (fun p x ->
                    let w = Model.param op "weight" p

                    if x.Rank <> 3 || x.Shape[1] > w.Shape[0] || x.Shape[2] <> w.Shape[1] then
                        Errors.fail
                            op
                            $"expected an input of shape (N, T <= {w.Shape[0]}, {w.Shape[1]}), got {Model.shapeText x.Shape}"
                            "Pass sequences of embeddings no longer than maxLength."

                    x + Tensor.narrow (w, 0, 0, x.Shape[1]))
