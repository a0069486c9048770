using Xunit;

namespace Functional.CSharp.Tests;

public class AdTests
{
    private static Tensor Vec(params double[] values) => Tensors.Create(values, Dtype.Float64);

    [Fact]
    public void GradientOfAScalarFunction()
    {
        // f(x) = Σ x³  =>  ∇f = 3x²
        var g = Ad.Grad(x => (x * x * x).Sum(), Vec(1, 2, 3));
        Assert.Equal(new[] { 3.0, 12.0, 27.0 }, g.ToDoubles());
    }

    [Fact]
    public void GradientOfAGradientFromLambdas()
    {
        // d/dx [d/dx x⁴] = 12 x² at x = 2 -> 48, through nested reverse mode.
        var second = Ad.Grad(x => Ad.Grad(y => (y * y * y * y).Sum(), x).Sum(), Vec(2.0));
        Assert.Equal(48.0, second.ToDoubles()[0], 10);
    }

    [Fact]
    public void NestedDerivativesDoNotConfusePerturbations()
    {
        var one = Tensors.Scalar(1.0, Dtype.Float64);
        var d = Ad.Derivative(x => x * Ad.Derivative(y => x + y, one), one);
        Assert.Equal(1.0, d.ToDouble(), 12);
    }

    [Fact]
    public void HessianAndHvpAgree()
    {
        Func<Tensor, Tensor> f = x => (x * x * x).Sum() + (x * x).Sum() * (x * x).Sum();
        var x = Vec(0.5, -1.0);
        var h = Ad.Hessian(f, x);
        var hv = Ad.Hvp(f, x, Vec(1, 0));
        Assert.Equal(new[] { h.ToDoubles()[0], h.ToDoubles()[2] }, hv.ToDoubles());
    }

    [Fact]
    public void ValueAndGradReturnNamedElements()
    {
        var (value, gradient) = Ad.ValueAndGrad(x => (x * x).Sum(), Vec(3, 4));
        Assert.Equal(25.0, value.ToDouble());
        Assert.Equal(new[] { 6.0, 8.0 }, gradient.ToDoubles());
    }

    [Fact]
    public void GradOfANonScalarFunctionExplainsTheShape()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Ad.Grad(x => x * 2.0, Vec(1, 2, 3)));
        Assert.Contains("[3]", e.Message);
        Assert.Contains("scalar", e.Message);
    }

    [Fact]
    public void GradCheckCatchesAWrongCustomRule()
    {
        var wrong = Ad.CustomVjp(x => x * x, (x, y, u) => u * x); // should be 2 u x
        Assert.Throws<GradCheckException>(() => Ad.GradCheck(x => wrong(x).Sum(), Vec(0.3, 0.7)));
        var right = Ad.CustomVjp(x => x * x, (x, y, u) => 2.0 * u * x);
        Ad.GradCheck(x => right(x).Sum(), Vec(0.3, 0.7));
    }
}
