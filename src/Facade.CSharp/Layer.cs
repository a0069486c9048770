using Microsoft.FSharp.Core;

namespace Functional.CSharp;

/// <summary>
/// The built-in layers and ways to combine them, each a <see cref="ModelFn"/>:
/// <c>Layer.Sequential(Layer.Dense(64), Layer.Relu(), Layer.Dense(10))</c>. Input sizes are inferred at
/// <see cref="ModelFn.Init(Rng, int[])"/>; shapes below are per example (the batch dimension comes first at apply).
/// Parameter names and initializations follow PyTorch.
/// </summary>
public static class Layer
{
    private static FSharpOption<FSharpFunc<Rng, FSharpFunc<int[], Tensor>>> Initializer(Func<Rng, int[], Tensor>? f) =>
        f is null ? FSharpOption<FSharpFunc<Rng, FSharpFunc<int[], Tensor>>>.None : Interop.Opt(Interop.Fun(f));

    private static ModelFn Wrap(Model m) => new(m);

    private static ModelFn ShapeKeeping(string name, Func<Tensor, Tensor> f) =>
        Wrap(ModelModule.ofFunction(name, Interop.Fun((int[] shape) => shape), Interop.Fun(f)));

    /// <summary>A dense (fully connected) layer x Wᵀ + b: [.., in] → [.., <paramref name="outFeatures"/>]; "weight" [out, in], "bias" [out].</summary>
    public static ModelFn Dense(
        int outFeatures,
        bool bias = true,
        Func<Rng, int[], Tensor>? weightInit = null,
        Func<Rng, int[], Tensor>? biasInit = null) =>
        Wrap(DenseLayers.Dense(outFeatures, bias, Initializer(weightInit), Initializer(biasInit)));

    /// <summary>1-d convolution: [C_in, L] → [<paramref name="outChannels"/>, L_out]; weight [C_out, C_in / groups, k].</summary>
    public static ModelFn Conv1d(
        int outChannels,
        int kernelSize,
        int stride = 1,
        int padding = 0,
        int dilation = 1,
        int groups = 1,
        bool bias = true,
        Func<Rng, int[], Tensor>? weightInit = null,
        Func<Rng, int[], Tensor>? biasInit = null) =>
        Wrap(ConvolutionalLayers.Conv1d(
            outChannels, kernelSize, stride, padding, dilation, groups, bias,
            Initializer(weightInit), Initializer(biasInit)));

    /// <summary>2-d convolution: [C_in, H, W] → [<paramref name="outChannels"/>, H_out, W_out]; weight [C_out, C_in / groups, k, k].</summary>
    public static ModelFn Conv2d(
        int outChannels,
        int kernelSize,
        int stride = 1,
        int padding = 0,
        int dilation = 1,
        int groups = 1,
        bool bias = true,
        Func<Rng, int[], Tensor>? weightInit = null,
        Func<Rng, int[], Tensor>? biasInit = null) =>
        Wrap(ConvolutionalLayers.Conv2d(
            outChannels, kernelSize, stride, padding, dilation, groups, bias,
            Initializer(weightInit), Initializer(biasInit)));

    /// <summary>2-d transposed convolution: [C_in, H, W] → [C_out, (H - 1)s - 2p + d(k - 1) + outputPadding + 1, ...].</summary>
    public static ModelFn ConvTranspose2d(
        int outChannels,
        int kernelSize,
        int stride = 1,
        int padding = 0,
        int outputPadding = 0,
        int dilation = 1,
        int groups = 1,
        bool bias = true,
        Func<Rng, int[], Tensor>? weightInit = null,
        Func<Rng, int[], Tensor>? biasInit = null) =>
        Wrap(ConvolutionalLayers.ConvTranspose2d(
            outChannels, kernelSize, stride, padding, outputPadding, dilation, groups, bias,
            Initializer(weightInit), Initializer(biasInit)));

    /// <summary>2-d max pooling over k×k windows (stride defaults to k): [C, H, W] → [C, H_out, W_out].</summary>
    public static ModelFn MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        Wrap(PoolingLayers.MaxPool2d(kernelSize, Interop.Opt(stride), padding, dilation, ceilMode));

    /// <summary>2-d average pooling over k×k windows (stride defaults to k); <paramref name="countIncludePad"/> counts padded zeros.</summary>
    public static ModelFn AvgPool2d(
        int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) =>
        Wrap(PoolingLayers.AvgPool2d(kernelSize, Interop.Opt(stride), padding, ceilMode, countIncludePad));

    /// <summary>The mean of each channel over all spatial positions: [C, spatial...] → [C].</summary>
    public static ModelFn GlobalAvgPool() =>
        ModelFn.Create(
            "GlobalAvgPool",
            (_, shape) =>
            {
                if (shape.Length < 2)
                    throw Errors.argument(
                        "globalAvgPool",
                        $"expected a per-example input shape [C; spatial...] (rank 2 or more), got {ModelModule.shapeText(shape)}",
                        "Pool feature maps, e.g. the output of a conv layer.");
                return (ParamTree.Empty, new[] { shape[0] });
            },
            (_, x) => Pool.globalAvg(x));

    /// <summary>Flattens each example into a vector: [d₁, d₂, ...] → [d₁·d₂⋯] (PyTorch's Flatten).</summary>
    public static ModelFn Flatten() =>
        Wrap(ModelModule.ofFunction(
            "Flatten",
            Interop.Fun((int[] shape) => new[] { shape.Aggregate(1, (a, b) => a * b) }),
            Interop.Fun((Tensor x) =>
            {
                if (x.Rank < 1)
                    throw Errors.argument("flatten", "expected a batch (rank 1 or more), got a scalar", "Pass a batch.");
                return x.Flatten(1);
            })));

    /// <summary>Reshapes each example to <paramref name="shape"/> (one size may be -1), e.g. [784] → [1, 28, 28].</summary>
    public static ModelFn Reshape(params int[] shape) => Wrap(ReshapeLayers.Reshape(shape));

    /// <summary>Dropout: zeroes each element with probability <paramref name="rate"/> in training (scaling the rest by 1/(1 - rate)); the identity in evaluation.</summary>
    public static ModelFn Dropout(double rate = 0.5) => Wrap(DropoutLayers.Dropout(rate));

    /// <summary>Batch norm over the channel dimension ([C], [C, L] or [C, H, W]); keeps running statistics as model state.</summary>
    public static ModelFn BatchNorm(double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true) =>
        Wrap(NormalizationLayers.BatchNorm(eps, momentum, affine, trackRunningStats));

    /// <summary>Layer norm over each example's last <paramref name="normalizedDims"/> dimensions (PyTorch's LayerNorm).</summary>
    public static ModelFn LayerNorm(double eps = 1e-5, bool elementwiseAffine = true, int normalizedDims = 1) =>
        Wrap(NormalizationLayers.LayerNorm(eps, elementwiseAffine, normalizedDims));

    /// <summary>An embedding table: integer indices [..] → [.., <paramref name="embeddingDim"/>]; "weight" ~ N(0, 1), the padding row zero and without gradient.</summary>
    public static ModelFn Embedding(
        int numEmbeddings, int embeddingDim, int? paddingIdx = null, Func<Rng, int[], Tensor>? weightInit = null) =>
        Wrap(EmbeddingLayers.Embedding(numEmbeddings, embeddingDim, Interop.Opt(paddingIdx), Initializer(weightInit)));

    /// <summary>A learned positional embedding added to sequences [T, dim] (T ≤ <paramref name="maxLength"/>).</summary>
    public static ModelFn PositionalEmbedding(int maxLength, Func<Rng, int[], Tensor>? weightInit = null) =>
        Wrap(EmbeddingLayers.PositionalEmbedding(maxLength, Initializer(weightInit)));

    /// <summary>An Elman RNN (tanh, or relu) over sequences [T, F] → [T, D·H] (or [D·H], the final hidden state, if not <paramref name="returnSequences"/>); initializers, when given, fill one gate block at a time.</summary>
    public static ModelFn Rnn(
        int hiddenSize,
        int numLayers = 1,
        bool bidirectional = false,
        bool relu = false,
        bool bias = true,
        double dropout = 0.0,
        bool returnSequences = true,
        Func<Rng, int[], Tensor>? weightInit = null,
        Func<Rng, int[], Tensor>? recurrentInit = null,
        Func<Rng, int[], Tensor>? biasInit = null) =>
        Wrap(RecurrentLayers.Rnn(
            hiddenSize, numLayers, bidirectional, relu, bias, dropout, returnSequences,
            Initializer(weightInit), Initializer(recurrentInit), Initializer(biasInit)));

    /// <summary>An LSTM over sequences [T, F] → [T, D·H] (or [D·H], the final hidden state, if not <paramref name="returnSequences"/>); PyTorch's gate layout and init unless initializers are given (each fills one gate block; Keras uses an orthogonal <paramref name="recurrentInit"/>).</summary>
    public static ModelFn Lstm(
        int hiddenSize,
        int numLayers = 1,
        bool bidirectional = false,
        bool bias = true,
        double dropout = 0.0,
        bool returnSequences = true,
        Func<Rng, int[], Tensor>? weightInit = null,
        Func<Rng, int[], Tensor>? recurrentInit = null,
        Func<Rng, int[], Tensor>? biasInit = null) =>
        Wrap(RecurrentLayers.Lstm(
            hiddenSize, numLayers, bidirectional, bias, dropout, returnSequences,
            Initializer(weightInit), Initializer(recurrentInit), Initializer(biasInit)));

    /// <summary>A GRU over sequences [T, F] → [T, D·H] (or [D·H], the final hidden state, if not <paramref name="returnSequences"/>); PyTorch's gate layout and init unless initializers are given (each fills one gate block; Keras uses an orthogonal <paramref name="recurrentInit"/>).</summary>
    public static ModelFn Gru(
        int hiddenSize,
        int numLayers = 1,
        bool bidirectional = false,
        bool bias = true,
        double dropout = 0.0,
        bool returnSequences = true,
        Func<Rng, int[], Tensor>? weightInit = null,
        Func<Rng, int[], Tensor>? recurrentInit = null,
        Func<Rng, int[], Tensor>? biasInit = null) =>
        Wrap(RecurrentLayers.Gru(
            hiddenSize, numLayers, bidirectional, bias, dropout, returnSequences,
            Initializer(weightInit), Initializer(recurrentInit), Initializer(biasInit)));

    /// <summary>Multi-head self-attention over sequences [T, E] → [T, E] (E divisible by <paramref name="numHeads"/>), causal if asked.</summary>
    public static ModelFn SelfAttention(int numHeads, bool causal = false, double dropout = 0.0, bool bias = true) =>
        Wrap(AttentionLayers.SelfAttention(numHeads, causal, dropout, bias));

    /// <summary>A Transformer encoder layer over sequences [T, E] → [T, E] with PyTorch's defaults (dropout 0.1, relu, post-norm).</summary>
    public static ModelFn TransformerEncoderLayer(
        int numHeads,
        int dimFeedforward,
        double dropout = 0.1,
        Func<Tensor, Tensor>? activation = null,
        double layerNormEps = 1e-5,
        bool normFirst = false,
        bool causal = false) =>
        Wrap(TransformerLayers.TransformerEncoderLayer(
            numHeads, dimFeedforward, dropout, Activation(activation), layerNormEps, normFirst, causal));

    /// <summary><paramref name="numLayers"/> Transformer encoder layers in sequence (parameters "layers.0.*", "layers.1.*", ... as PyTorch).</summary>
    public static ModelFn TransformerEncoder(
        int numLayers,
        int numHeads,
        int dimFeedforward,
        double dropout = 0.1,
        Func<Tensor, Tensor>? activation = null,
        double layerNormEps = 1e-5,
        bool normFirst = false,
        bool causal = false) =>
        Wrap(TransformerLayers.TransformerEncoder(
            numLayers, numHeads, dimFeedforward, dropout, Activation(activation), layerNormEps, normFirst, causal));

    private static FSharpOption<FSharpFunc<Tensor, Tensor>> Activation(Func<Tensor, Tensor>? f) =>
        f is null ? FSharpOption<FSharpFunc<Tensor, Tensor>>.None : Interop.Opt(Interop.Fun(f));

    /// <summary>max(x, 0) as a layer.</summary>
    public static ModelFn Relu() => ShapeKeeping("ReLU", x => x.Relu());

    /// <summary>The logistic sigmoid 1 / (1 + e⁻ˣ) as a layer.</summary>
    public static ModelFn Sigmoid() => ShapeKeeping("Sigmoid", x => x.Sigmoid());

    /// <summary>tanh as a layer.</summary>
    public static ModelFn Tanh() => ShapeKeeping("Tanh", x => x.Tanh());

    /// <summary>GELU x Φ(x) (exact erf form, PyTorch's default) as a layer.</summary>
    public static ModelFn Gelu() => ShapeKeeping("GELU", x => x.Gelu());

    /// <summary>softplus log(1 + eˣ) as a layer.</summary>
    public static ModelFn Softplus() => ShapeKeeping("Softplus", x => x.Softplus());

    /// <summary>The identity as a layer.</summary>
    public static ModelFn Identity() => ShapeKeeping("Identity", x => x);

    /// <summary>Leaky ReLU: x for x &gt; 0, slope·x otherwise.</summary>
    public static ModelFn LeakyRelu(double slope = 0.01) => Wrap(ActivationLayers.LeakyRelu(slope));

    /// <summary>ELU: x for x &gt; 0, α (eˣ - 1) otherwise.</summary>
    public static ModelFn Elu(double alpha = 1.0) => Wrap(ActivationLayers.Elu(alpha));

    /// <summary>Softmax along <paramref name="dim"/> (default the last) as a layer.</summary>
    public static ModelFn Softmax(int dim = -1) => Wrap(ActivationLayers.Softmax(dim));

    /// <summary>Log softmax along <paramref name="dim"/> (default the last) as a layer.</summary>
    public static ModelFn LogSoftmax(int dim = -1) => Wrap(ActivationLayers.LogSoftmax(dim));

    /// <summary>A parameterless layer computing <paramref name="f"/> on a batch (it must keep the leading batch dimension).</summary>
    public static ModelFn Lambda(string name, Func<Tensor, Tensor> f) => ModelFn.Lambda(name, f);

    /// <summary>Runs the models one after another; their parameters are named "0", "1", ... (as PyTorch's Sequential).</summary>
    public static ModelFn Sequential(params ModelFn[] models) =>
        Wrap(ModelModule.sequential(Interop.List(models.Select(m => m.Core))));

    /// <summary>Runs the named models one after another (the names become the first level of parameter paths).</summary>
    public static ModelFn Sequential(params (string Name, ModelFn Model)[] models) =>
        Wrap(ModelModule.namedSequential(Interop.List(models.Select(m => Tuple.Create(m.Name, m.Model.Core)))));

    /// <summary>x + model(x): the inner model must keep the shape; its parameters keep their names.</summary>
    public static ModelFn Residual(ModelFn model) => Wrap(ModelModule.residual(model.Core));

    /// <summary>Runs every model on the same input and adds their outputs (branches named "0", "1", ...).</summary>
    public static ModelFn Add(params ModelFn[] models) => Wrap(ModelModule.add(Interop.List(models.Select(m => m.Core))));

    /// <summary>Runs every model on the same input and concatenates their outputs along the last dimension.</summary>
    public static ModelFn Concat(params ModelFn[] models) =>
        Wrap(ModelModule.concat(Interop.List(models.Select(m => m.Core))));

    /// <summary>Runs every model on the same input and combines their outputs with <paramref name="combine"/>.</summary>
    public static ModelFn Branches(Func<IReadOnlyList<Tensor>, Tensor> combine, params ModelFn[] models) =>
        Wrap(ModelModule.branches(
            Interop.Fun((Microsoft.FSharp.Collections.FSharpList<Tensor> ys) => combine(ys.ToArray())),
            Interop.List(models.Select(m => m.Core))));

    /// <summary>The model with its parameters under one more level <paramref name="name"/> of the tree.</summary>
    public static ModelFn Nest(string name, ModelFn model) => Wrap(ModelModule.nest(name, model.Core));
}
