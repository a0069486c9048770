namespace Functional.CSharp;

/// <summary>
/// A learning rate (or any multiplier of the updates): a number, a <see cref="Tensor"/> (results can then be
/// differentiated with respect to it: hypergradients) or a schedule of the number of updates done so far.
/// Converts implicitly from <c>double</c>, <see cref="Tensor"/>, <c>Func&lt;int, double&gt;</c> (e.g. from
/// <see cref="Schedules"/>) and <c>Func&lt;int, Tensor&gt;</c>.
/// </summary>
public sealed class LearningRate
{
    private LearningRate(Rate core) => Core = core;

    /// <summary>The F# core's rate (internal).</summary>
    internal Rate Core { get; }

    /// <summary>True when the value depends on the step count.</summary>
    public bool IsScheduled => Core.IsScheduled;

    /// <summary>The value after <paramref name="count"/> updates, as a tensor.</summary>
    public Tensor At(int count) => Core.At(count);

    /// <summary>A constant rate.</summary>
    public static LearningRate Constant(double value) => new(Rate.constant(value));

    /// <summary>A constant rate held in a tensor (results are differentiable with respect to it).</summary>
    public static LearningRate Of(Tensor value) => new(Rate.tensor(value));

    /// <summary>A rate that depends on the number of updates done so far.</summary>
    public static LearningRate Schedule(Func<int, double> schedule) => new(Rate.schedule(Interop.Fun(schedule)));

    /// <summary>A tensor-valued schedule (differentiable with respect to the tensors it closes over).</summary>
    public static LearningRate TensorSchedule(Func<int, Tensor> schedule) => new(Rate.tensorSchedule(Interop.Fun(schedule)));

    /// <summary>A constant rate.</summary>
    public static implicit operator LearningRate(double value) => Constant(value);

    /// <summary>A constant rate held in a tensor.</summary>
    public static implicit operator LearningRate(Tensor value) => Of(value);

    /// <summary>A scheduled rate.</summary>
    public static implicit operator LearningRate(Func<int, double> schedule) => Schedule(schedule);

    /// <summary>A tensor-valued scheduled rate.</summary>
    public static implicit operator LearningRate(Func<int, Tensor> schedule) => TensorSchedule(schedule);

    /// <summary>Describes the rate.</summary>
    public override string ToString() => Core.ToString();
}
