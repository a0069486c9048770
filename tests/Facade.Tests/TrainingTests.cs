using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>Training through the facade only: Layer, Loss, Optimizers, Data, Training.</summary>
public class TrainingTests
{
    private static readonly TrainingOptions Quiet = new() { Progress = ProgressDisplay.Silent };

    [Fact]
    public void AnMlpReachesNinetyPercentOnTheEmbeddedDigits()
    {
        var (train, test) = Data.Digits(flatten: true).Split(testFraction: 0.2, seed: 0);
        var model = Layer.Sequential(Layer.Dense(64), Layer.Relu(), Layer.Dense(10));

        var result = Training.Fit(
            model,
            Loss.CrossEntropy,
            Optimizers.Adam(1e-2),
            train,
            new TrainingOptions
            {
                Epochs = 10,
                BatchSize = 32,
                Metrics = [MetricFn.Accuracy],
                Validation = test,
                Progress = ProgressDisplay.Silent,
            });

        var metrics = result.Evaluate(test);
        Assert.True(metrics["accuracy"] >= 0.9, $"test accuracy {metrics["accuracy"]}");
        Assert.Equal(10, result.History.Epochs.Count);
        Assert.Equal(result.History.Last!.Validation["accuracy"], metrics["accuracy"], 10);
        Assert.True(result.History.Epochs[^1].Train["loss"] < result.History.Epochs[0].Train["loss"]);
        Assert.Equal(new[] { test.Count, 10 }, result.Predict(test.X).Shape);

        var predicted = result.PredictClasses(test.X);
        var actual = test.Y.ToArray<long>();
        var correct = predicted.Where((p, i) => p == actual[i]).Count();
        Assert.Equal(metrics["accuracy"], correct / (double)test.Count, 10);
    }

    [Fact]
    public void AveragedWeightsAreValidatedAndReadBack()
    {
        var (train, test) = Data.Digits(flatten: true).Split(testFraction: 0.2, seed: 0);
        var model = Layer.Sequential(Layer.Dense(32), Layer.Relu(), Layer.Dense(10));

        var result = Training.Fit(
            model,
            Loss.CrossEntropy,
            Optimizers.AverageWeights(0.9, Optimizers.Adam(1e-2)),
            train,
            new TrainingOptions
            {
                Epochs = 2,
                Validation = test,
                ValidateAveraged = true,
                Progress = ProgressDisplay.Silent,
            });

        var averaged = result.WithAveragedWeights();
        Assert.Equal(result.History.Last!.Validation["loss"], averaged.Evaluate(test)["loss"], 6);
        Assert.NotEqual(result.Evaluate(test)["loss"], averaged.Evaluate(test)["loss"], 4);
        Assert.Equal(result.Params.Paths, averaged.Params.Paths);
    }

    [Fact]
    public void TheModelIsAPureFunctionOfItsParameters()
    {
        var (x, _) = Data.Digits(flatten: true).Take(5);
        var model = Layer.Sequential(Layer.Dense(8), Layer.Tanh(), Layer.Dense(3));
        var p = model.Init(seed: 1, 64);
        var apply = model.AsFunc();
        Assert.Equal(apply(p, x).ToDoubles(), model.Apply(p, x).ToDoubles());
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, p.Paths);
        Assert.Equal(64 * 8 + 8 + 8 * 3 + 3, p.ElementCount);
        // Other parameters, other outputs; the same parameters, the same outputs.
        Assert.NotEqual(model.Apply(model.Init(2, 64), x).ToDoubles(), model.Apply(p, x).ToDoubles());
        Assert.Equal(model.Apply(model.Init(1, 64), x).ToDoubles(), model.Apply(p, x).ToDoubles());
    }

    [Fact]
    public void AHandWrittenLoopWithGradientsOfTheParameters()
    {
        // Fit y = 2x + 1 with a Dense(1) layer, plain gradient descent written in C#.
        var x = Tensors.Linspace(-1, 1, 16).Reshape([16, 1]);
        var y = 2.0 * x + 1.0;
        var model = Layer.Dense(1);
        var p = model.Init(Tensors.Seed(0), 1);
        for (var i = 0; i < 200; i++)
        {
            var g = Ad.Grad(q => Loss.Mse(model.Apply(q, x), y), p);
            p -= 0.3 * g;
        }

        Assert.Equal(2.0, p.Get("weight").ToDoubles()[0], 3);
        Assert.Equal(1.0, p.Get("bias").ToDoubles()[0], 3);
    }

    [Fact]
    public void TheGuidesHandWrittenLoopRuns()
    {
        // docs/csharp.md, "Models are pure functions of their parameters" (20 steps instead of 100).
        var (train, _) = Data.Digits(flatten: true).Split(testFraction: 0.2, seed: 0);
        ModelFn model = Layer.Sequential(Layer.Dense(64), Layer.Relu(), Layer.Dense(10));
        var p = model.Init(Tensors.Seed(0), 64);
        var opt = Optimizers.Adam(1e-3);
        var state = opt.Init(p);
        double Loss0(ParamTree q) => Loss.CrossEntropy(model.Apply(q, train.X), train.Y).ToDouble();
        var before = Loss0(p);
        for (var step = 0; step < 20; step++)
        {
            var g = Ad.Grad(q => Loss.CrossEntropy(model.Apply(q, train.X), train.Y), p);
            (p, state) = opt.Step(g, state, p);
        }

        Assert.True(Loss0(p) < before - 0.1, $"loss {before} -> {Loss0(p)}");
    }

    [Fact]
    public void TrainingContinuesFromAResult()
    {
        var data = Data.Iris().Split(0.2, seed: 3).Standardized();
        var model = Layer.Sequential(Layer.Dense(16), Layer.Relu(), Layer.Dense(3));
        var first = Training.Fit(model, Loss.CrossEntropy, Optimizers.Sgd(0.1, momentum: 0.9), data.Train, Quiet with { Epochs = 2 });
        var second = Training.Fit(first, data.Train.X, data.Train.Y, Quiet with { Epochs = 3 });
        Assert.Equal(first.Steps * 5 / 2, second.Steps);
        Assert.Equal(new[] { 3, 4, 5 }, second.History.Epochs.Select(e => e.Epoch));
        Assert.Equal(5, second.LastEpoch);
        Assert.True(second.Evaluate(data.Test)["loss"] < first.Evaluate(data.Test)["loss"]);
    }

    [Fact]
    public void CallbacksStopTrainingAndSeeEveryEpoch()
    {
        var (train, _) = Data.Iris().Split(0.2);
        var seen = new List<int>();
        var result = Training.Fit(
            Layer.Sequential(Layer.Dense(8), Layer.Relu(), Layer.Dense(3)),
            Loss.CrossEntropy,
            Optimizers.Adam(1e-3),
            train,
            Quiet with
            {
                Epochs = 20,
                ValidationSplit = 0.25,
                Callbacks =
                [
                    TrainingCallback.OnEpochEnd(e => seen.Add(e.Epoch)),
                    TrainingCallback.StopWhen(h => h.Epochs.Count == 3, "three is enough"),
                ],
            });

        Assert.Equal(new[] { 1, 2, 3 }, seen);
        Assert.Equal("three is enough", result.StoppedEarly);
        Assert.True(result.History.Last!.Validation.ContainsKey("loss"));
    }

    [Fact]
    public void ACnnWithBatchNormAndDropoutTrainsAndKeepsItsState()
    {
        var (train, test) = Data.Digits().Split(0.2);
        var model = Layer.Sequential(
            Layer.Conv2d(8, 3, padding: 1),
            Layer.BatchNorm(),
            Layer.Relu(),
            Layer.MaxPool2d(2),
            Layer.Flatten(),
            Layer.Dropout(0.1),
            Layer.Dense(10));
        var result = Training.Fit(
            model, Loss.CrossEntropy, Optimizers.AdamW(3e-3), train,
            Quiet with { Epochs = 1, MaxStepsPerEpoch = 5, Metrics = [MetricFn.Accuracy] });

        Assert.Equal(5, result.Steps);
        Assert.Equal(new[] { "1.running_mean", "1.running_var" }, result.ModelState.Paths);
        // The running mean moved away from its initial zeros.
        Assert.True(result.ModelState.Get("1.running_mean").Abs().Sum().ToDouble() > 0);
        var metrics = Training.Evaluate(model, result.Params, Loss.CrossEntropy, test.X, test.Y, [MetricFn.Accuracy], result.ModelState);
        Assert.Equal(result.Evaluate(test)["accuracy"], metrics["accuracy"], 12);
    }

    [Fact]
    public void MismatchedInputsAndTargetsAreAClearError()
    {
        var (x, y) = Data.Iris();
        var e = Assert.Throws<ArgumentException>(() =>
            Training.Fit(Layer.Dense(3), Loss.CrossEntropy, Optimizers.Sgd(0.1), x, y.Narrow(0, 0, 10), Quiet));
        Assert.Contains("first (sample) dimensions differ", e.Message);
    }
}
