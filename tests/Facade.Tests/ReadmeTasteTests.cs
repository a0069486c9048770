using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>README.md's C# taste runs and gives what it says; its statements are copied here line for line.</summary>
public class ReadmeTasteTests
{
    [Fact]
    public void TheReadmeCSharpTasteRuns()
    {
        // README.md's C# taste without its usings (TheTasteHereIsTheReadmesTaste checks that the lines match).
        var x = Tensors.Create(new[] { 0.5, 1.0, 2.0 }, Dtype.Float64);
        Func<Tensor, Tensor> f = v => (v.Sin() * v).Sum();
        Tensor grad = Ad.Grad(f, x);                             // ∇f = sin x + x cos x
        Tensor curvature = Ad.Grad(v => Ad.Grad(f, v).Sum(), x); // a gradient of a gradient
        var (value, _) = Ad.ValueAndGrad(f, x);
        Console.WriteLine($"f = {value.ToDouble()}, grad = {grad}");

        // Training from C#: an MLP on the embedded 8x8 digits.
        var (train, test) = Data.Digits(flatten: true).Split(testFraction: 0.2, seed: 0);
        ModelFn model = Layer.Sequential(Layer.Dense(64), Layer.Relu(), Layer.Dense(10));
        TrainingResult result = Training.Fit(model, Loss.CrossEntropy, Optimizers.Adam(1e-2), train,
            new TrainingOptions { Epochs = 10, BatchSize = 32, Validation = test, Metrics = [MetricFn.Accuracy] });
        Console.WriteLine(result.Evaluate(test)["accuracy"]);   // about 0.97

        Assert.Equal(Math.Sin(0.5) + 0.5 * Math.Cos(0.5), grad.ToDoubles()[0], 12);
        Assert.Equal(2 * Math.Cos(2.0) - 2.0 * Math.Sin(2.0), curvature.ToDoubles()[2], 12);
        Assert.Equal(0.5 * Math.Sin(0.5) + Math.Sin(1.0) + 2 * Math.Sin(2.0), value.ToDouble(), 12);
        Assert.Equal(10, result.History.Epochs.Count);
        var accuracy = result.Evaluate(test)["accuracy"];
        Assert.True(accuracy is > 0.95 and <= 1.0, $"the README says about 0.97; the test accuracy is {accuracy}");
    }

    [Fact]
    public void TheTasteHereIsTheReadmesTaste()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Functional.sln"))) root = root.Parent;
        Assert.True(root is not null, $"no Functional.sln above {AppContext.BaseDirectory}");

        var readme = File.ReadAllLines(Path.Combine(root!.FullName, "README.md"));
        var start = Array.IndexOf(readme, "```csharp");
        Assert.True(start >= 0, "README.md has no ```csharp block");
        var taste = readme.Skip(start + 1).TakeWhile(l => l != "```")
            .Where(l => l.Trim() != "" && !l.StartsWith("using "))
            .Select(l => l.Trim())
            .ToList();
        var here = File.ReadAllLines(Path.Combine(root.FullName, "tests", "Facade.Tests", "ReadmeTasteTests.cs"))
            .Select(l => l.Trim())
            .ToHashSet();

        Assert.True(taste.Count >= 10, $"README.md's C# taste has only {taste.Count} lines");
        Assert.All(taste, line => Assert.True(here.Contains(line), $"README.md's C# taste line is not in this test: {line}"));
    }
}
