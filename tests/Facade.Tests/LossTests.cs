using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>Losses from C#: values, options, and passing them by name.</summary>
public class LossTests
{
    private static readonly Tensor Logits = Tensors.Create(new[,] { { 2.0, 0.0, -1.0 }, { 0.5, 0.5, 3.0 } }, Dtype.Float64);
    private static readonly Tensor Labels = Tensors.Create(new long[] { 0, 2 }, Dtype.Int64);

    private static double CrossEntropyByHand(int row, int label)
    {
        var z = Logits.ToDoubles().Skip(3 * row).Take(3).ToArray();
        return -(z[label] - Math.Log(z.Sum(Math.Exp)));
    }

    [Fact]
    public void CrossEntropyMatchesTheFormula()
    {
        var expected = (CrossEntropyByHand(0, 0) + CrossEntropyByHand(1, 2)) / 2;
        Assert.Equal(expected, Loss.CrossEntropy(Logits, Labels).ToDouble(), 12);
        Assert.Equal(2 * expected, Loss.CrossEntropy(Logits, Labels, reduction: LossReduction.Sum).ToDouble(), 12);
        Assert.Equal(new[] { 2 }, Loss.CrossEntropy(Logits, Labels, reduction: LossReduction.None).Shape);
        Assert.Equal(CrossEntropyByHand(0, 0), Loss.CrossEntropy(Logits, Labels, ignoreIndex: 2).ToDouble(), 12);
    }

    [Fact]
    public void LossesConvertToDelegates()
    {
        Func<Tensor, Tensor, Tensor> ce = Loss.CrossEntropy;
        Func<Tensor, Tensor, Tensor> mse = Loss.Mse;
        Assert.Equal(Loss.CrossEntropy(Logits, Labels).ToDouble(), ce(Logits, Labels).ToDouble());
        var a = Tensors.Create(new[] { 1.0, 2.0 }, Dtype.Float64);
        var b = Tensors.Create(new[] { 2.0, 4.0 }, Dtype.Float64);
        Assert.Equal(2.5, mse(a, b).ToDouble(), 12);
        Assert.Equal(1.5, Loss.Mae(a, b).ToDouble(), 12);
        Assert.Equal(1.0, Loss.Huber(a, b, delta: 1.0, reduction: LossReduction.Mean).ToDouble(), 12);
        Assert.Equal(5.0, Loss.L2(ParamTree.Of(("a", a))).ToDouble(), 12);
    }

    [Fact]
    public void AShapeMismatchIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => Loss.Mse(Logits, Labels));
        Assert.Contains("mse", e.Message);
        Assert.Contains("[2; 3]", e.Message);
    }
}
