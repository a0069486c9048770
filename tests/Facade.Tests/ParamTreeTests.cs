using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>Parameter trees from C#: construction, lookup, operators and derivatives.</summary>
public class ParamTreeTests
{
    private static Tensor Vec(params double[] values) => Tensors.Create(values, Dtype.Float64);

    private static readonly ParamTree P = ParamTree.Of(("layer.weight", Vec(1, 2)), ("layer.bias", Vec(3)), ("scale", Vec(4)));

    [Fact]
    public void PathsNestByDots()
    {
        Assert.Equal(new[] { "layer.weight", "layer.bias", "scale" }, P.Paths);
        Assert.Equal(new[] { "weight", "bias" }, P["layer"].Paths);
        Assert.Equal(new[] { 3.0 }, P.Get("layer.bias").ToDoubles());
        Assert.True(P.Contains("layer.weight"));
        Assert.False(P.Contains("layer.gamma"));
        Assert.Equal(4, P.ElementCount);
        Assert.Equal(3, P.TensorCount);
        Assert.Equal(new[] { "layer.weight", "layer.bias", "scale" }, P.Select(e => e.Path));
        var e = Assert.Throws<ArgumentException>(() => P.Get("layer.gamma"));
        Assert.Contains("layer.weight", e.Message);
    }

    [Fact]
    public void OperatorsWorkTensorByTensor()
    {
        var q = (2.0 * P + P * 0.5 - P / 2.0 + 1.0) * P - (-P);
        // (2p + 0.5p - 0.5p + 1) p + p = 2p² + 2p
        Assert.Equal(new[] { 4.0, 12.0, 24.0, 40.0 }, q.Flatten().ToDoubles());
        Assert.Equal(new[] { 2.0, 4.0 }, (Tensors.Scalar(2.0, Dtype.Float64) * P).Get("layer.weight").ToDoubles());
        Assert.Equal(30.0, P.Dot(P).ToDouble(), 12);
        Assert.Equal(Math.Sqrt(30.0), P.Norm().ToDouble(), 12);
        Assert.Equal(P.Flatten().ToDoubles(), P.Unflatten(P.Flatten()).Flatten().ToDoubles());
        Assert.Equal(new[] { "scale" }, P.Where((path, _) => !path.StartsWith("layer")).Paths);
        Assert.Equal(new[] { 1.0, 2.0, 0.0, 4.0 }, P.Merge(ParamTree.Of(("layer.bias", Vec(0)))).Flatten().ToDoubles());
        Assert.Equal(new[] { 1.0, 2.0, 9.0, 4.0 }, P.Set("layer.bias", Vec(9)).Flatten().ToDoubles());
    }

    [Fact]
    public void TreesOfDifferentStructureDoNotCombine()
    {
        var e = Assert.Throws<ArgumentException>(() => P + ParamTree.Of(("scale", Vec(1))));
        Assert.Contains("differ", e.Message);
    }

    [Fact]
    public void GradientsOfAFunctionOfATree()
    {
        // f(p) = Σ w² · s + b  =>  ∂f/∂w = 2 w s, ∂f/∂b = 1, ∂f/∂s = Σ w²
        Tensor F(ParamTree p) => (p.Get("layer.weight") * p.Get("layer.weight")).Sum() * p.Get("scale").Sum() + p.Get("layer.bias").Sum();
        var (value, g) = Ad.ValueAndGrad(F, P);
        Assert.Equal(23.0, value.ToDouble(), 12);
        Assert.Equal(new[] { 8.0, 16.0, 1.0, 5.0 }, g.Flatten().ToDoubles());
        Assert.Equal(g.Flatten().ToDoubles(), Ad.Grad(F, P).Flatten().ToDoubles());

        var direction = P.OnesLike();
        var hv = Ad.Hvp(F, P, direction);
        var h = Ad.Hessian(F, P);
        Assert.Equal(h.Sum(1).ToDoubles(), hv.Flatten().ToDoubles());

        var (_, tangent) = Ad.Jvp(F, P, direction);
        Assert.Equal(g.Dot(direction).ToDouble(), tangent.ToDouble(), 12);
        var (_, pullback) = Ad.Vjp(F, P);
        Assert.Equal(new[] { 16.0, 32.0, 2.0, 10.0 }, pullback(Tensors.Scalar(2.0, Dtype.Float64)).Flatten().ToDoubles());
    }

    [Fact]
    public void AGradientOfAGradientOverATree()
    {
        // g(s) = ∂/∂s of Σ (w s)² at w = [1, 2]: 2 s Σ w² = 10 s; its derivative in s is 10.
        var w = P["layer"].Get("weight");
        var d = Ad.Grad(
            s => (Ad.Grad(q => (q.Get("w") * s * (q.Get("w") * s)).Sum(), ParamTree.Of(("w", w))).Get("w") * w).Sum(),
            Vec(0.5));
        // ∂/∂w Σ (w s)² = 2 w s², dotted with w: 2 s² Σ w² = 10 s²; derivative 20 s = 10 at s = 0.5.
        Assert.Equal(10.0, d.ToDoubles()[0], 10);
    }
}
