using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>Every layer constructor of the facade builds, initializes and runs with the documented shapes.</summary>
public class LayerTests
{
    private static int[] OutputOf(ModelFn model, int[] inputShape, Tensor? x = null)
    {
        var (p, s) = model.InitWithState(Tensors.Seed(0), inputShape);
        x ??= Tensors.Randn(Tensors.Seed(1), [2, .. inputShape]);
        var y = model.Apply(p, s, x);
        Assert.Equal(model.OutputShape(inputShape), y.Shape[1..]);
        var (yTrain, _) = model.ApplyTraining(p, s, Tensors.Seed(2), x);
        Assert.Equal(y.Shape, yTrain.Shape);
        return y.Shape[1..];
    }

    [Fact]
    public void DenseConvolutionPoolingAndReshape()
    {
        Assert.Equal(new[] { 7 }, OutputOf(Layer.Dense(7), [3]));
        Assert.Equal(new[] { 7 }, OutputOf(Layer.Dense(7, bias: false, weightInit: (rng, shape) => Tensors.Zeros(shape)), [3]));
        Assert.Equal(new[] { 4, 6 }, OutputOf(Layer.Conv1d(4, 3), [2, 8]));
        Assert.Equal(new[] { 4, 8, 8 }, OutputOf(Layer.Conv2d(4, 3, padding: 1), [2, 8, 8]));
        Assert.Equal(new[] { 4, 17, 17 }, OutputOf(Layer.ConvTranspose2d(4, 3, stride: 2), [2, 8, 8]));
        Assert.Equal(new[] { 2, 4, 4 }, OutputOf(Layer.MaxPool2d(2), [2, 8, 8]));
        Assert.Equal(new[] { 2, 3, 3 }, OutputOf(Layer.AvgPool2d(3, stride: 2), [2, 8, 8]));
        Assert.Equal(new[] { 2 }, OutputOf(Layer.GlobalAvgPool(), [2, 8, 8]));
        Assert.Equal(new[] { 128 }, OutputOf(Layer.Flatten(), [2, 8, 8]));
        Assert.Equal(new[] { 8, 16 }, OutputOf(Layer.Reshape(8, -1), [2, 8, 8]));
    }

    [Fact]
    public void NormalizationDropoutAndActivations()
    {
        Assert.Equal(new[] { 3, 4, 4 }, OutputOf(Layer.BatchNorm(), [3, 4, 4]));
        Assert.Equal(new[] { 5, 6 }, OutputOf(Layer.LayerNorm(normalizedDims: 2), [5, 6]));
        Assert.Equal(new[] { 5 }, OutputOf(Layer.Dropout(0.3), [5]));
        foreach (var activation in new[]
                 {
                     Layer.Relu(), Layer.Sigmoid(), Layer.Tanh(), Layer.Gelu(), Layer.Softplus(), Layer.Identity(),
                     Layer.LeakyRelu(0.2), Layer.Elu(), Layer.Softmax(), Layer.LogSoftmax(),
                 })
            Assert.Equal(new[] { 5 }, OutputOf(activation, [5]));

        var x = Tensors.Create(new[,] { { -1.0, 2.0 } });
        var p = ParamTree.Empty;
        Assert.Equal(new[] { 0.0, 2.0 }, Layer.Relu().Apply(p, x).ToDoubles());
        Assert.Equal(1.0, Layer.Softmax().Apply(p, x).Sum().ToDouble(), 6);
        Assert.Equal(new[] { -0.2, 2.0 }, Layer.LeakyRelu(0.2).Apply(p, x).ToDoubles().Select(v => Math.Round(v, 6)));
    }

    [Fact]
    public void SequenceLayers()
    {
        var tokens = Tensors.Create(new long[,] { { 1, 2, 3, 0 }, { 4, 4, 0, 0 } }, Dtype.Int64);
        Assert.Equal(new[] { 4, 6 }, OutputOf(Layer.Embedding(5, 6, paddingIdx: 0), [4], tokens));
        Assert.Equal(new[] { 4, 6 }, OutputOf(Layer.PositionalEmbedding(10), [4, 6]));
        Assert.Equal(new[] { 4, 8 }, OutputOf(Layer.Rnn(4, bidirectional: true), [4, 3]));
        Assert.Equal(new[] { 5 }, OutputOf(Layer.Lstm(5, numLayers: 2, returnSequences: false), [4, 3]));
        Assert.Equal(new[] { 4, 5 }, OutputOf(Layer.Gru(5), [4, 3]));
        Assert.Equal(new[] { 4, 8 }, OutputOf(Layer.SelfAttention(2, causal: true), [4, 8]));
        Assert.Equal(new[] { 4, 8 }, OutputOf(Layer.TransformerEncoderLayer(2, 16, activation: t => t.Gelu()), [4, 8]));
        var encoder = Layer.TransformerEncoder(2, 2, 16);
        Assert.Equal(new[] { 4, 8 }, OutputOf(encoder, [4, 8]));
        Assert.Contains("layers.1.self_attn.in_proj_weight", encoder.Init(0, 4, 8).Paths);
    }

    [Fact]
    public void CombinatorsAndCustomLayers()
    {
        var scale = ModelFn.Create(
            "Scale",
            (rng, shape) => (ParamTree.Of(("gain", Tensors.Ones(shape))), shape),
            (p, x) => x * p.Get("gain"));
        var named = Layer.Sequential(("encoder", Layer.Dense(4)), ("scale", scale));
        Assert.Equal(new[] { "encoder.weight", "encoder.bias", "scale.gain" }, named.Init(0, 3).Paths);

        Assert.Equal(new[] { 3 }, OutputOf(Layer.Residual(Layer.Sequential(Layer.Dense(3), Layer.Tanh())), [3]));
        Assert.Equal(new[] { 4 }, OutputOf(Layer.Add(Layer.Dense(4), Layer.Dense(4)), [3]));
        Assert.Equal(new[] { 6 }, OutputOf(Layer.Concat(Layer.Dense(4), Layer.Dense(2)), [3]));
        Assert.Equal(new[] { 4 }, OutputOf(Layer.Branches(ys => ys[0] * ys[1], Layer.Dense(4), Layer.Dense(4)), [3]));
        Assert.Equal(new[] { 3 }, OutputOf(Layer.Lambda("Double", x => 2.0 * x), [3]));
        Assert.Equal(new[] { "block.weight", "block.bias" }, Layer.Nest("block", Layer.Dense(2)).Init(0, 3).Paths);

        var chained = Layer.Dense(4).Then(Layer.Relu()).Then(Layer.Dense(2)).Map(y => y * 0.5).Rename("Tiny");
        Assert.Equal("Tiny", chained.Name);
        Assert.Equal(new[] { 2 }, OutputOf(chained, [3]));
        var summary = Layer.Sequential(Layer.Dense(4), Layer.Relu(), Layer.Dense(2)).Summary(3);
        Assert.Contains("Total params: 26", summary);
    }

    [Fact]
    public void AMistakeInsideASequentialNamesTheLayer()
    {
        var model = Layer.Sequential(Layer.Dense(4), Layer.MaxPool2d(2));
        var e = Assert.ThrowsAny<ArgumentException>(() => model.Init(0, 3));
        Assert.Contains("'1'", e.Message);
    }
}
