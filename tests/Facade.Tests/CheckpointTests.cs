using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>Saving and loading parameters and training results from C#.</summary>
public class CheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("functional-facade-").FullName;

    /// <summary>Removes the temporary folder.</summary>
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ParametersRoundTrip()
    {
        var model = Layer.Sequential(Layer.Dense(5), Layer.Relu(), Layer.Dense(2));
        var p = model.Init(seed: 7, 3);
        var path = Path.Combine(dir, "mlp.safetensors");
        Checkpoints.Save(path, p, new Dictionary<string, string> { ["note"] = "from C#" });

        var loaded = Checkpoints.Load(path, model.Init(seed: 8, 3));
        Assert.Equal(p.Paths, loaded.Paths);
        foreach (var (name, tensor) in p)
            Assert.Equal(tensor.ToDoubles(), loaded.Get(name).ToDoubles());

        var (tensors, metadata) = Checkpoints.LoadTensors(path);
        Assert.Equal("from C#", metadata["note"]);
        Assert.Equal(new[] { 5, 3 }, tensors["0.weight"].Shape);
    }

    [Fact]
    public void ATrainingResultRoundTripsWithItsStates()
    {
        var (train, test) = Data.Digits().Split(0.2);
        var model = Layer.Sequential(Layer.Conv2d(4, 3), Layer.BatchNorm(), Layer.Relu(), Layer.Flatten(), Layer.Dense(10));
        var options = new TrainingOptions { Epochs = 1, MaxStepsPerEpoch = 3, Progress = ProgressDisplay.Silent, Seed = 1 };
        var trained = Training.Fit(model, Loss.CrossEntropy, Optimizers.Adam(1e-2), train, options);
        var path = Path.Combine(dir, "result.safetensors");
        Checkpoints.Save(path, trained);

        var fresh = Training.Fit(model, Loss.CrossEntropy, Optimizers.Adam(1e-2), train, options with { Epochs = 0, Seed = 2 });
        var restored = Checkpoints.Load(path, fresh);
        Assert.Equal(trained.Predict(test.X).ToDoubles(), restored.Predict(test.X).ToDoubles());
        Assert.Equal(trained.OptimizerState.Get("0.mu.0.weight").ToDoubles(), restored.OptimizerState.Get("0.mu.0.weight").ToDoubles());
    }

    [Fact]
    public void ACheckpointOfAnotherModelIsAClearError()
    {
        var path = Path.Combine(dir, "small.safetensors");
        Checkpoints.Save(path, Layer.Dense(2).Init(0, 3));
        var e = Assert.Throws<CheckpointException>(() => Checkpoints.Load(path, Layer.Dense(4).Init(0, 3)));
        Assert.Contains("weight", e.Message);
    }

    [Fact]
    public void ATruncatedFileIsACheckpointException()
    {
        var path = Path.Combine(dir, "broken.safetensors");
        Checkpoints.Save(path, Layer.Dense(2).Init(0, 3));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 4)]);
        Assert.Throws<CheckpointException>(() => Checkpoints.Load(path, Layer.Dense(2).Init(0, 3)));
    }
}
