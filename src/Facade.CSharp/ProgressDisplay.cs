namespace Functional.CSharp;

/// <summary>How <see cref="Training.Fit(ModelFn, Func{Tensor, Tensor, Tensor}, OptimizerFn, Tensor, Tensor, TrainingOptions?)"/> shows progress.</summary>
public enum ProgressDisplay
{
    /// <summary>A live bar on a terminal; one line per epoch when the output is redirected or under CI=true.</summary>
    Auto,

    /// <summary>A live progress bar per epoch.</summary>
    Live,

    /// <summary>One plain line per finished epoch.</summary>
    Quiet,

    /// <summary>No output.</summary>
    Silent,
}
