namespace Functional.CSharp;

/// <summary>What training recorded for one epoch.</summary>
/// <param name="Epoch">Epoch number, from 1.</param>
/// <param name="Train">Loss ("loss") and metrics over the epoch's training batches.</param>
/// <param name="Validation">Loss and metrics on the validation data (empty without validation data).</param>
/// <param name="LearningRate">The learning rate recorded for the epoch (NaN when not given).</param>
/// <param name="Duration">Wall-clock time of the epoch (training and validation).</param>
/// <param name="StepLosses">The training loss of every step, in order.</param>
public sealed record EpochStats(
    int Epoch,
    IReadOnlyDictionary<string, double> Train,
    IReadOnlyDictionary<string, double> Validation,
    double LearningRate,
    TimeSpan Duration,
    IReadOnlyList<double> StepLosses);

/// <summary>The record of a training run: one <see cref="EpochStats"/> per finished epoch, oldest first.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(History core)
    {
        Core = core;
        Epochs = core.Epochs
            .Select(e => new EpochStats(
                e.Epoch,
                e.Train.ToDictionary(kv => kv.Key, kv => kv.Value),
                e.Validation.ToDictionary(kv => kv.Key, kv => kv.Value),
                e.LearningRate,
                e.Duration,
                e.StepLosses.ToArray()))
            .ToArray();
    }

    /// <summary>The F# core's history (internal).</summary>
    internal History Core { get; }

    /// <summary>The finished epochs, oldest first.</summary>
    public IReadOnlyList<EpochStats> Epochs { get; }

    /// <summary>The last finished epoch, or null when none finished.</summary>
    public EpochStats? Last => Epochs.Count == 0 ? null : Epochs[^1];

    /// <summary>Every metric name recorded, "loss" first.</summary>
    public IReadOnlyList<string> Names => HistoryModule.names(Core).ToArray();

    /// <summary>(epoch, value) of a training metric (e.g. "loss", "accuracy"), for the epochs that recorded it.</summary>
    public IReadOnlyList<(int Epoch, double Value)> Train(string name) =>
        HistoryModule.train(name, Core).Select(p => (p.Item1, p.Item2)).ToArray();

    /// <summary>(epoch, value) of a validation metric, for the epochs that recorded it.</summary>
    public IReadOnlyList<(int Epoch, double Value)> Validation(string name) =>
        HistoryModule.validation(name, Core).Select(p => (p.Item1, p.Item2)).ToArray();

    /// <summary>The history as CSV: epoch, train_&lt;name&gt;..., val_&lt;name&gt;..., learning_rate, seconds.</summary>
    public string ToCsv() => HistoryModule.toCsv(Core);

    /// <summary>The number of epochs and the last epoch's values.</summary>
    public override string ToString() =>
        Last is null
            ? "TrainingHistory(no epochs)"
            : $"TrainingHistory({Epochs.Count} epochs; last: {string.Join(", ", Last.Train.Select(kv => $"{kv.Key} {kv.Value:G4}").Concat(Last.Validation.Select(kv => $"val_{kv.Key} {kv.Value:G4}")))})";
}
