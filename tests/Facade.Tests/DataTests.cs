using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>The embedded datasets as tensors, and splits.</summary>
public class DataTests
{
    [Fact]
    public void TheEmbeddedSetsLoadAsTensors()
    {
        var digits = Data.Digits();
        Assert.Equal(new[] { 1797, 1, 8, 8 }, digits.X.Shape);
        Assert.Equal(new[] { 1797 }, digits.Y.Shape);
        Assert.Equal(Dtype.Int64, digits.Y.Dtype);
        Assert.Equal(new[] { 1797, 64 }, Data.Digits(flatten: true).X.Shape);
        Assert.InRange(digits.X.Max().ToDouble(), 0.99, 1.0);

        var iris = Data.Iris();
        Assert.Equal(new[] { 150, 4 }, iris.X.Shape);
        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, iris.ClassNames);
        Assert.Equal(new[] { 178, 13 }, Data.Wine().X.Shape);
        Assert.Equal(new[] { 569, 30 }, Data.BreastCancer().X.Shape);
        var (x, y) = Data.Diabetes();
        Assert.Equal(new[] { 442, 10 }, x.Shape);
        Assert.Equal(Dtype.Float32, y.Dtype);
    }

    [Fact]
    public void SplitsAreDeterministicAndDisjoint()
    {
        var digits = Data.Digits();
        var (train, test) = digits.Split(0.2, seed: 5);
        Assert.Equal(1797, train.Count + test.Count);
        Assert.Equal(359, test.Count);
        Assert.Equal(test.Y.ToArray<long>(), digits.Split(0.2, seed: 5).Test.Y.ToArray<long>());
        Assert.NotEqual(test.Y.ToArray<long>(), digits.Split(0.2, seed: 6).Test.Y.ToArray<long>());
        Assert.Equal(new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" }, train.ClassNames);

        var stratified = Data.Iris().Split(0.2, stratified: true);
        var counts = stratified.Test.Y.ToArray<long>().GroupBy(v => v).Select(g => g.Count());
        Assert.All(counts, c => Assert.Equal(10, c));
    }

    [Fact]
    public void StandardizationUsesTheTrainingStatistics()
    {
        var split = Data.Wine().Split(0.25).Standardized();
        var mean = split.Train.X.Mean(0).ToDoubles();
        Assert.All(mean, m => Assert.Equal(0.0, m, 4));
        Assert.True(split.Test.X.Mean(0).Abs().Max().ToDouble() > 1e-3);
    }

    [Fact]
    public void RowsTakeAndShuffle()
    {
        var iris = Data.Iris();
        Assert.Equal(new[] { 0L, 0L }, iris.Rows(0, 1).Y.ToArray<long>());
        Assert.Equal(3, iris.Take(3).Count);
        var shuffled = iris.Shuffle(1);
        Assert.Equal(iris.Y.Sum().ToDouble(), shuffled.Y.Sum().ToDouble());
        Assert.NotEqual(iris.Y.ToArray<long>(), shuffled.Y.ToArray<long>());
    }

    [Fact]
    public void AMissingFetchedDatasetNamesTheFetchCommand()
    {
        var previous = Environment.GetEnvironmentVariable("FUNCTIONAL_DATA");
        try
        {
            Environment.SetEnvironmentVariable("FUNCTIONAL_DATA", Path.Combine(Path.GetTempPath(), "functional-no-such-cache"));
            Assert.False(Data.IsInstalled("mnist"));
            var e = Assert.ThrowsAny<FileNotFoundException>(() => Data.Mnist());
            Assert.Contains("data fetch mnist", e.Message);
            Assert.Contains("mnist", Data.Names);
        }
        finally
        {
            Environment.SetEnvironmentVariable("FUNCTIONAL_DATA", previous);
        }
    }
}
