using Microsoft.FSharp.Core;

namespace Functional.CSharp;

/// <summary>
/// Options of <see cref="Training.Fit(ModelFn, Func{Tensor, Tensor, Tensor}, OptimizerFn, Tensor, Tensor, TrainingOptions?)"/>:
/// <c>new TrainingOptions { Epochs = 5, BatchSize = 32, Metrics = [MetricFn.Accuracy] }</c>.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Number of passes over the training data (default 10); when continuing a run, the number of further passes.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per step (default 32).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Shuffle the training data every epoch (default true).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Held-out data evaluated after every epoch (its values appear as "val_..." in the history).</summary>
    public Samples? Validation { get; init; }

    /// <summary>
    /// Evaluate the validation data with the optimizer's weight average (<see cref="Optimizers.AverageWeights"/>)
    /// instead of the raw parameters, so that early stopping and best-epoch checkpoints judge the average.
    /// </summary>
    public bool ValidateAveraged { get; init; }

    /// <summary>Fraction of the training data held out for validation when <see cref="Validation"/> is null (0 = none).</summary>
    public double ValidationSplit { get; init; }

    /// <summary>Streaming metrics reported per epoch besides the loss, e.g. <see cref="MetricFn.Accuracy"/>.</summary>
    public IReadOnlyList<MetricFn> Metrics { get; init; } = Array.Empty<MetricFn>();

    /// <summary>Callbacks run at the end of every epoch (early stopping, checkpoints, ...).</summary>
    public IReadOnlyList<TrainingCallback> Callbacks { get; init; } = Array.Empty<TrainingCallback>();

    /// <summary>How progress is shown (default: a live bar on a terminal, one line per epoch otherwise).</summary>
    public ProgressDisplay Progress { get; init; } = ProgressDisplay.Auto;

    /// <summary>Skip a step whose loss or gradients are NaN/Inf instead of stopping with a <see cref="NonFiniteException"/>.</summary>
    public bool SkipNonFiniteSteps { get; init; }

    /// <summary>The learning rate at a step, recorded in the history (it does not change the optimizer).</summary>
    public Func<int, double>? LearningRate { get; init; }

    /// <summary>Stop each epoch after this many steps (for quick runs); null runs whole epochs.</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>Seed of the initial parameters, the shuffling and the dropout masks (default 0): the same seed gives the same run.</summary>
    public int Seed { get; init; }

    /// <summary>The F# core's options, for a run whose first epoch is numbered <paramref name="startEpoch"/>.</summary>
    internal FitOptions ToCore(int startEpoch) =>
        new(
            startEpoch + Epochs - 1,
            BatchSize,
            Shuffle,
            Validation is null ? null : FSharpOption<Tuple<Tensor, Tensor>>.Some(Tuple.Create(Validation.X, Validation.Y)),
            ValidateAveraged,
            ValidationSplit,
            Interop.List(Callbacks.Select(c => c.Core)),
            Progress switch
            {
                ProgressDisplay.Live => FSharpOption<ProgressMode>.Some(ProgressMode.Live),
                ProgressDisplay.Quiet => FSharpOption<ProgressMode>.Some(ProgressMode.Quiet),
                ProgressDisplay.Silent => FSharpOption<ProgressMode>.Some(ProgressMode.Silent),
                _ => null,
            },
            SkipNonFiniteSteps ? NonFinitePolicy.SkipStep : NonFinitePolicy.StopTraining,
            LearningRate is null ? null : Interop.Opt(Interop.Fun(LearningRate)),
            Interop.Opt(MaxStepsPerEpoch),
            startEpoch,
            HistoryModule.empty);
}
