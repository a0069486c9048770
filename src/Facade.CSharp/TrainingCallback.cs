namespace Functional.CSharp;

/// <summary>
/// Something run at the end of every training epoch: early stopping, checkpoints, CSV logging, reduce-on-plateau, or
/// your own code (<see cref="OnEpochEnd"/>, <see cref="StopWhen"/>). Pass callbacks in <see cref="TrainingOptions.Callbacks"/>.
/// </summary>
public sealed class TrainingCallback
{
    private TrainingCallback(Callback core) => Core = core;

    /// <summary>The F# core's callback (internal).</summary>
    internal Callback Core { get; }

    /// <summary>The callback's name.</summary>
    public string Name => Core.Name;

    /// <summary>Stops when <paramref name="monitor"/> (e.g. "val_loss", "val_accuracy") has not improved for <paramref name="patience"/> epochs; with <paramref name="restoreBest"/> training ends with the best epoch's parameters.</summary>
    public static TrainingCallback EarlyStopping(string monitor = "val_loss", int patience = 5, bool restoreBest = true) =>
        new(Callbacks.earlyStopping(monitor, patience, restoreBest));

    /// <summary>Saves the parameters to <paramref name="folder"/>/last.safetensors after each epoch and to best.safetensors when <paramref name="monitor"/> improves.</summary>
    public static TrainingCallback Checkpoint(string folder, string monitor = "val_loss") =>
        new(Callbacks.checkpoint(folder, monitor));

    /// <summary>Writes the history as CSV to <paramref name="path"/> after every epoch.</summary>
    public static TrainingCallback CsvLogger(string path) => new(Callbacks.csvLogger(path));

    /// <summary>Reports <paramref name="monitor"/> to the optimizer's <see cref="Optimizers.ReduceOnPlateau"/> part after every epoch.</summary>
    public static TrainingCallback ReduceOnPlateau(string monitor = "val_loss") => new(Callbacks.reduceOnPlateau(monitor));

    /// <summary>Calls <paramref name="action"/> with the finished epoch's values after every epoch.</summary>
    public static TrainingCallback OnEpochEnd(Action<EpochStats> action, string name = "OnEpochEnd") =>
        Custom(name, history =>
        {
            action(history.Last!);
            return null;
        });

    /// <summary>Stops training after the first epoch for which <paramref name="stop"/>(history so far) is true.</summary>
    public static TrainingCallback StopWhen(Func<TrainingHistory, bool> stop, string reason = "the stop condition was met") =>
        Custom("StopWhen", history => stop(history) ? reason : null);

    /// <summary>A callback from a function of the history so far that returns a reason to stop, or null to go on.</summary>
    private static TrainingCallback Custom(string name, Func<TrainingHistory, string?> decide) =>
        new(new Callback(
            name,
            Interop.Thunk(() => Interop.Fun((EpochEnd e) =>
                decide(new TrainingHistory(e.History)) is string reason
                    ? CallbackAction.NewStop(reason)
                    : CallbackAction.Continue)),
            Interop.Fun((TrainState s) => s)));
}
