namespace Functional.CSharp;

/// <summary>
/// The outcome of <see cref="Training.Fit(ModelFn, Func{Tensor, Tensor, Tensor}, OptimizerFn, Tensor, Tensor, TrainingOptions?)"/>:
/// the trained parameters, the optimizer state and the history, with <see cref="Evaluate(Tensor, Tensor, int)"/> and
/// <see cref="Predict"/> for the trained model. An immutable value.
/// </summary>
public sealed class TrainingResult
{
    internal TrainingResult(
        ModelFn model,
        OptimizerFn optimizer,
        TrainConfig config,
        TrainState state,
        TrainingHistory history,
        string? stoppedEarly,
        int lastEpoch)
    {
        LastEpoch = lastEpoch;
        Model = model;
        Optimizer = optimizer;
        Config = config;
        State = state;
        History = history;
        StoppedEarly = stoppedEarly;
    }

    internal TrainConfig Config { get; }

    /// <summary>The number of the last finished epoch (0 before any), counted across continued runs.</summary>
    public int LastEpoch { get; }

    internal TrainState State { get; }

    /// <summary>The model that was trained.</summary>
    public ModelFn Model { get; }

    /// <summary>The optimizer that trained it.</summary>
    public OptimizerFn Optimizer { get; }

    /// <summary>The trained parameters (or the restored best ones).</summary>
    public ParamTree Params => new(State.Params);

    /// <summary>
    /// The same result with its parameters replaced by the optimizer's weight average
    /// (<see cref="Optimizers.AverageWeights"/>), to evaluate, predict with or save the averaged model.
    /// </summary>
    public TrainingResult WithAveragedWeights() =>
        new(Model, Optimizer, Config, Train.averaged(State), History, StoppedEarly, LastEpoch);

    /// <summary>The model's non-trainable state (batch norm's running statistics; empty for most models).</summary>
    public ParamTree ModelState => new(State.ModelState);

    /// <summary>The optimizer's state (continue training from it with <see cref="Training.Fit(TrainingResult, Tensor, Tensor, TrainingOptions?)"/>).</summary>
    public ParamTree OptimizerState => new(State.OptState);

    /// <summary>The number of optimization steps taken.</summary>
    public int Steps => State.Step;

    /// <summary>Per-epoch losses and metrics.</summary>
    public TrainingHistory History { get; }

    /// <summary>Why training ended before the last epoch (early stopping), or null.</summary>
    public string? StoppedEarly { get; }

    /// <summary>The loss and the metrics given at training ("loss", "accuracy", ...) on (x, y), in evaluation mode.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor x, Tensor y, int batchSize = 256) =>
        Training.ToDictionary(Train.evaluate(Config, State, batchSize, x, y));

    /// <summary>The loss and the metrics given at training on <paramref name="data"/>, in evaluation mode.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Samples data, int batchSize = 256) => Evaluate(data.X, data.Y, batchSize);

    /// <summary>The model's outputs for all rows of <paramref name="x"/> (evaluation mode), computed in batches.</summary>
    public Tensor Predict(Tensor x, int batchSize = 256) => Train.predict(Config, State, batchSize, x);

    /// <summary>The predicted class of every row of <paramref name="x"/>: the argmax of the model's outputs.</summary>
    public int[] PredictClasses(Tensor x, int batchSize = 256) =>
        Predict(x, batchSize).Argmax(1).ToArray<long>().Select(v => (int)v).ToArray();

    /// <summary>The same result with other parameters (e.g. loaded from a checkpoint with <see cref="Checkpoints.Load(string, ParamTree)"/>).</summary>
    public TrainingResult WithParams(ParamTree parameters) =>
        WithState(new TrainState(parameters.Core, State.ModelState, State.OptState, State.Step, State.Rng));

    internal TrainingResult WithState(TrainState state) => new(Model, Optimizer, Config, state, History, StoppedEarly, LastEpoch);

    /// <summary>A one-line description: steps and the last epoch's values.</summary>
    public override string ToString() => $"TrainingResult({Model.Name}, {Steps} steps, {History})";
}
