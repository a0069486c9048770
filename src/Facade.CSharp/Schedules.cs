namespace Functional.CSharp;

/// <summary>
/// Learning-rate schedules: the value as a function of the number of updates done so far (0, 1, 2, ...). Each is a
/// plain <c>Func&lt;int, double&gt;</c>, usable wherever a <see cref="LearningRate"/> is expected:
/// <c>Optimizers.Adam(Schedules.CosineDecay(1e-3, 10_000))</c>.
/// </summary>
public static class Schedules
{
    private static Func<int, double> Wrap(Microsoft.FSharp.Core.FSharpFunc<int, double> f) => f.Invoke;

    /// <summary>The same value at every step.</summary>
    public static Func<int, double> Constant(double value) => _ => value;

    /// <summary><paramref name="init"/> until the first boundary, then the value paired with the last boundary reached.</summary>
    public static Func<int, double> PiecewiseConstant(double init, params (int Boundary, double Value)[] boundaries) =>
        Wrap(Schedule.piecewiseConstant(init, boundaries.Select(b => Tuple.Create(b.Boundary, b.Value))));

    /// <summary>init · gamma^⌊count / stepSize⌋ (PyTorch's StepLR).</summary>
    public static Func<int, double> StepDecay(double init, int stepSize, double gamma) =>
        Wrap(Schedule.stepDecay(init, stepSize, gamma));

    /// <summary>init · decayRate^((count - transitionBegin) / transitionSteps), floored if <paramref name="staircase"/>; bounded by <paramref name="endValue"/> if given.</summary>
    public static Func<int, double> ExponentialDecay(
        double init, double decayRate, int transitionSteps, bool staircase = false, int transitionBegin = 0, double? endValue = null) =>
        Wrap(Schedule.exponentialDecay(init, decayRate, transitionSteps, staircase, transitionBegin, Interop.Opt(endValue)));

    /// <summary>init / (1 + decay · count).</summary>
    public static Func<int, double> InverseTimeDecay(double init, double decay) => Wrap(Schedule.inverseTimeDecay(init, decay));

    /// <summary>From <paramref name="init"/> to <paramref name="endValue"/> linearly over <paramref name="transitionSteps"/> steps, then constant.</summary>
    public static Func<int, double> Linear(double init, double endValue, int transitionSteps, int transitionBegin = 0) =>
        Wrap(Schedule.linear(init, endValue, transitionSteps, transitionBegin));

    /// <summary>Cosine decay from <paramref name="init"/> to init · alpha over <paramref name="decaySteps"/> steps.</summary>
    public static Func<int, double> CosineDecay(double init, int decaySteps, double alpha = 0.0) =>
        Wrap(Schedule.cosineDecay(init, decaySteps, alpha));

    /// <summary>Linear warm-up from <paramref name="init"/> to <paramref name="peak"/>, then cosine decay to <paramref name="endValue"/> at <paramref name="decaySteps"/>.</summary>
    public static Func<int, double> WarmupCosineDecay(double init, double peak, int warmupSteps, int decaySteps, double endValue = 0.0) =>
        Wrap(Schedule.warmupCosineDecay(init, peak, warmupSteps, decaySteps, endValue));

    /// <summary>The one-cycle policy (PyTorch's OneCycleLR, cosine annealing) over <paramref name="totalSteps"/> steps.</summary>
    public static Func<int, double> OneCycle(
        int totalSteps, double maxValue, double pctStart = 0.3, double divFactor = 25.0, double finalDivFactor = 1e4) =>
        Wrap(Schedule.oneCycle(totalSteps, maxValue, pctStart, divFactor, finalDivFactor));

    /// <summary>Runs <c>schedules[0]</c> until <c>boundaries[0]</c>, then <c>schedules[1]</c> counted from that boundary, and so on.</summary>
    public static Func<int, double> Join(IReadOnlyList<Func<int, double>> schedules, params int[] boundaries) =>
        Wrap(Schedule.join(schedules.Select(s => Interop.Fun(s)), boundaries));
}
