namespace Functional.CSharp;

/// <summary>
/// Keras-style training over the F# core's pure training step: <see cref="Fit(ModelFn, Func{Tensor, Tensor, Tensor}, OptimizerFn, Tensor, Tensor, TrainingOptions?)"/>
/// runs shuffled mini-batch epochs with validation, metrics, callbacks and progress, and returns an immutable
/// <see cref="TrainingResult"/>. Every random choice comes from <see cref="TrainingOptions.Seed"/>.
/// </summary>
public static class Training
{
    internal static IReadOnlyDictionary<string, double> ToDictionary(
        Microsoft.FSharp.Collections.FSharpList<Tuple<string, double>> pairs)
    {
        var d = new Dictionary<string, double>();
        foreach (var p in pairs) d[p.Item1] = p.Item2;
        return d;
    }

    private static TrainConfig Config(ModelFn model, Func<Tensor, Tensor, Tensor> loss, OptimizerFn optimizer, IEnumerable<MetricFn> metrics) =>
        new(model.Core, Interop.Fun(loss), optimizer.Core, Interop.List(metrics.Select(m => m.Core)));

    private static TrainingResult Run(
        ModelFn model, OptimizerFn optimizer, TrainConfig config, TrainState state, int startEpoch, Tensor x, Tensor y, TrainingOptions options)
    {
        var result = Train.fit(config, options.ToCore(startEpoch), state, x, y);
        var history = new TrainingHistory(result.History);
        return new TrainingResult(
            model,
            optimizer,
            config,
            result.State,
            history,
            result.StoppedEarly?.Value,
            history.Last?.Epoch ?? startEpoch - 1);
    }

    /// <summary>
    /// Trains <paramref name="model"/> from fresh parameters (seeded by <see cref="TrainingOptions.Seed"/>) to minimize
    /// <paramref name="loss"/>(predictions, targets) on (x, y) with <paramref name="optimizer"/>.
    /// </summary>
    public static TrainingResult Fit(
        ModelFn model,
        Func<Tensor, Tensor, Tensor> loss,
        OptimizerFn optimizer,
        Tensor x,
        Tensor y,
        TrainingOptions? options = null)
    {
        options ??= new TrainingOptions();
        var config = Config(model, loss, optimizer, options.Metrics);
        if (x.Rank < 1)
            throw Errors.argument("Training.Fit", "the inputs are a scalar", "Pass inputs of shape [N, ...], one row per sample.");
        var state = TrainStep.init(config, Tensors.Seed(options.Seed), x.Shape[1..]);
        return Run(model, optimizer, config, state, 1, x, y, options);
    }

    /// <summary>Trains <paramref name="model"/> from fresh parameters on <paramref name="data"/> (see the overload with tensors).</summary>
    public static TrainingResult Fit(
        ModelFn model,
        Func<Tensor, Tensor, Tensor> loss,
        OptimizerFn optimizer,
        Samples data,
        TrainingOptions? options = null) =>
        Fit(model, loss, optimizer, data.X, data.Y, options);

    /// <summary>
    /// Continues training from an earlier result (its parameters, optimizer state, step count and epoch numbering) on
    /// (x, y) for <see cref="TrainingOptions.Epochs"/> more epochs, with the metrics of <paramref name="options"/>.
    /// </summary>
    public static TrainingResult Fit(TrainingResult previous, Tensor x, Tensor y, TrainingOptions? options = null)
    {
        options ??= new TrainingOptions();
        var config = new TrainConfig(
            previous.Config.Model,
            previous.Config.Loss,
            previous.Config.Optimizer,
            Interop.List(options.Metrics.Select(m => m.Core)));
        return Run(previous.Model, previous.Optimizer, config, previous.State, previous.LastEpoch + 1, x, y, options);
    }

    /// <summary>
    /// The loss and metrics of a model with given parameters on (x, y), in evaluation mode and in batches (for models
    /// trained by hand; <paramref name="state"/> is batch norm's running statistics, if any).
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate(
        ModelFn model,
        ParamTree parameters,
        Func<Tensor, Tensor, Tensor> loss,
        Tensor x,
        Tensor y,
        IEnumerable<MetricFn>? metrics = null,
        ParamTree? state = null,
        int batchSize = 256)
    {
        var config = Config(model, loss, Optimizers.Identity(), metrics ?? Array.Empty<MetricFn>());
        var trainState = new TrainState(parameters.Core, (state ?? ParamTree.Empty).Core, ParamTree.Empty.Core, 0, Tensors.Seed(0));
        return ToDictionary(Train.evaluate(config, trainState, batchSize, x, y));
    }

    /// <summary>The outputs of a model with given parameters for all rows of <paramref name="x"/>, in evaluation mode and in batches.</summary>
    public static Tensor Predict(ModelFn model, ParamTree parameters, Tensor x, ParamTree? state = null, int batchSize = 256)
    {
        var config = Config(model, (p, _) => p, Optimizers.Identity(), Array.Empty<MetricFn>());
        var trainState = new TrainState(parameters.Core, (state ?? ParamTree.Empty).Core, ParamTree.Empty.Core, 0, Tensors.Seed(0));
        return Train.predict(config, trainState, batchSize, x);
    }
}
