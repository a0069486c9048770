namespace Functional.CSharp;

/// <summary>How per-class precision, recall or F1 are combined.</summary>
public enum MetricAverage
{
    /// <summary>Class 1 is the positive class of a two-class problem.</summary>
    Binary,

    /// <summary>The unweighted mean over all classes.</summary>
    Macro,

    /// <summary>From the counts summed over classes (equals accuracy for single-label problems).</summary>
    Micro,
}

/// <summary>
/// A streaming metric: an immutable accumulator over batches of (predictions, targets). <see cref="Update"/> returns
/// a new accumulator with one more batch, <see cref="Compute"/> gives the value so far. Pass metrics to
/// <see cref="TrainingOptions.Metrics"/> to have them reported per epoch: <c>Metrics = [MetricFn.Accuracy]</c>.
/// </summary>
public sealed class MetricFn
{
    internal MetricFn(Metric core) => Core = core;

    /// <summary>The F# core's metric (internal).</summary>
    internal Metric Core { get; }

    /// <summary>The metric's name (the key in the training history, e.g. "accuracy").</summary>
    public string Name => Core.Name;

    /// <summary>A new accumulator with one more batch folded in (this one is unchanged).</summary>
    public MetricFn Update(Tensor predictions, Tensor targets) => new(Core.Update(predictions, targets));

    /// <summary>The metric over every batch folded in so far.</summary>
    public double Compute() => Core.Compute();

    /// <summary>The empty accumulator.</summary>
    public MetricFn Reset() => new(Core.Reset());

    /// <summary>The metric of one batch, starting from empty: <c>MetricFn.Accuracy.Of(logits, labels)</c>.</summary>
    public double Of(Tensor predictions, Tensor targets) => Reset().Update(predictions, targets).Compute();

    /// <summary>The metric's name.</summary>
    public override string ToString() => $"MetricFn({Name})";

    /// <summary>Fraction of correct class predictions (argmax of scores [..., C], or labels of the targets' shape).</summary>
    public static MetricFn Accuracy => new(Metrics.accuracy);

    /// <summary>Fraction of correct binary predictions: score ≥ <paramref name="threshold"/> against 0/1 targets.</summary>
    public static MetricFn BinaryAccuracy(double threshold = 0.5) => new(Metrics.binaryAccuracy(threshold));

    /// <summary>Fraction of samples whose target is among the <paramref name="k"/> highest scores.</summary>
    public static MetricFn TopKAccuracy(int k) => new(Metrics.topKAccuracy(k));

    /// <summary>Precision TP / (TP + FP) over <paramref name="classes"/> classes, combined as <paramref name="average"/> says.</summary>
    public static MetricFn Precision(int classes, MetricAverage average = MetricAverage.Macro) =>
        new(Metrics.precision(ToCore(average), classes));

    /// <summary>Recall TP / (TP + FN) over <paramref name="classes"/> classes, combined as <paramref name="average"/> says.</summary>
    public static MetricFn Recall(int classes, MetricAverage average = MetricAverage.Macro) =>
        new(Metrics.recall(ToCore(average), classes));

    /// <summary>F1 = 2PR / (P + R) over <paramref name="classes"/> classes, combined as <paramref name="average"/> says.</summary>
    public static MetricFn F1(int classes, MetricAverage average = MetricAverage.Macro) => new(Metrics.f1(ToCore(average), classes));

    /// <summary>Area under the ROC curve for 0/1 targets and scores of the same shape.</summary>
    public static MetricFn RocAuc => new(Metrics.rocAuc);

    /// <summary>One-vs-rest ROC-AUC averaged over <paramref name="classes"/> classes, from class scores [..., C].</summary>
    public static MetricFn RocAucMacro(int classes) => new(Metrics.rocAucMacro(classes));

    /// <summary>Mean squared error over all elements.</summary>
    public static MetricFn Mse => new(Metrics.mse);

    /// <summary>Mean absolute error over all elements.</summary>
    public static MetricFn Mae => new(Metrics.mae);

    /// <summary>Coefficient of determination R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)², averaged over output columns.</summary>
    public static MetricFn R2 => new(Metrics.r2);

    /// <summary>exp of the mean negative log-likelihood per token, from logits [..., C] and integer targets.</summary>
    public static MetricFn Perplexity => new(Metrics.perplexity);

    /// <summary>The mean over all elements of <paramref name="perElement"/>(predictions, targets), over every batch.</summary>
    public static MetricFn MeanOf(string name, Func<Tensor, Tensor, Tensor> perElement) =>
        new(Metrics.meanOf(name, Interop.Fun(perElement)));

    /// <summary>
    /// A custom metric from a name, an initial state, a pure batch update (state, predictions, targets) ↦ state and a
    /// final computation state ↦ value.
    /// </summary>
    public static MetricFn Create<TState>(
        string name, TState init, Func<TState, Tensor, Tensor, TState> update, Func<TState, double> compute) =>
        new(Metric.create(name, init, Interop.Fun(update), Interop.Fun(compute)));

    private static Average ToCore(MetricAverage a) => a switch
    {
        MetricAverage.Binary => Functional.Average.Binary,
        MetricAverage.Macro => Functional.Average.Macro,
        MetricAverage.Micro => Functional.Average.Micro,
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, "Use a MetricAverage value."),
    };
}
