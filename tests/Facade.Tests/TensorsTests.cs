using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>Tensors made from C# belong to the caller.</summary>
public class TensorsTests
{
    [Fact]
    public void ATensorMadeInsideAGradientCallOutlivesIt()
    {
        Tensor? kept = null;
        var g = Ad.Grad(x =>
        {
            kept = Tensors.Create(new[] { 1.0, 2.0 }, Dtype.Float64); // e.g. a static field initialized lazily here
            return (x * kept).Sum();
        }, Tensors.Zeros([2], Dtype.Float64));

        Assert.Equal(new[] { 1.0, 2.0 }, g.ToDoubles());
        Assert.Equal(new[] { 1.0, 2.0 }, kept!.ToDoubles());
        Assert.Equal(3.0, Ad.Grad(x => (x * kept).Sum(), Tensors.Ones([2], Dtype.Float64)).Sum().ToDouble());
    }
}
