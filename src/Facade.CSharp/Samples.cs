using Functional.Data;

namespace Functional.CSharp;

/// <summary>
/// A dataset as two tensors: inputs <see cref="X"/> [N, ...] and targets <see cref="Y"/> [N, ...] (class indices as
/// Int64, regression targets as Float32). Deconstructs: <c>var (x, y) = Data.Digits();</c>.
/// </summary>
/// <param name="X">The inputs, one row per sample.</param>
/// <param name="Y">The targets, one per sample.</param>
public sealed record Samples(Tensor X, Tensor Y)
{
    /// <summary>The number of samples.</summary>
    public int Count => X.Shape[0];

    /// <summary>The shape of one input (without the sample dimension), e.g. [1, 8, 8].</summary>
    public int[] SampleShape => X.Shape[1..];

    /// <summary>The class names by label (empty for regression data or when unknown).</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = Array.Empty<string>();

    /// <summary>The samples at the given indices, in that order.</summary>
    public Samples Rows(params int[] indices)
    {
        var idx = Tensors.Create(indices.Select(i => (long)i).ToArray(), Dtype.Int64);
        return this with { X = X.Index(idx), Y = Y.Index(idx) };
    }

    /// <summary>The first <paramref name="count"/> samples (all of them when there are fewer).</summary>
    public Samples Take(int count) => Rows(Enumerable.Range(0, Math.Clamp(count, 0, Count)).ToArray());

    /// <summary>The samples in a random order drawn from <paramref name="seed"/> (the same seed gives the same order).</summary>
    public Samples Shuffle(int seed) =>
        Rows(Dataset.toArray(Dataset.shuffle(Tensors.Seed(seed), Dataset.init(Count, Interop.Fun((int i) => i)))));

    /// <summary>
    /// Shuffles with <paramref name="seed"/> and splits off a test part of <paramref name="testFraction"/>; with
    /// <paramref name="stratified"/> each class keeps its share in both parts (Y must hold class indices).
    /// The same seed gives the same split as the F# core's <c>Dataset.trainTestSplit</c>.
    /// </summary>
    public TrainTestSplit Split(double testFraction = 0.2, int seed = 0, bool stratified = false)
    {
        var indices = Dataset.init(Count, Interop.Fun((int i) => i));
        TrainTest<int> parts;
        if (stratified)
        {
            var labels = Y.To(Dtype.Int64).ToArray<long>();
            parts = Dataset.stratifiedSplit(Tensors.Seed(seed), testFraction, Interop.Fun((int i) => (int)labels[i]), indices);
        }
        else
        {
            parts = Dataset.trainTestSplit(Tensors.Seed(seed), testFraction, indices);
        }

        return new TrainTestSplit(Rows(Dataset.toArray(parts.Train)), Rows(Dataset.toArray(parts.Test)));
    }

    /// <summary>Describes the shapes and dtypes.</summary>
    public override string ToString() =>
        $"Samples({Count} samples: X [{string.Join(", ", X.Shape)}] {X.Dtype}, Y [{string.Join(", ", Y.Shape)}] {Y.Dtype})";
}

/// <summary>A training set and a test set. Deconstructs: <c>var (train, test) = Data.Digits().Split(0.2);</c>.</summary>
/// <param name="Train">The training samples.</param>
/// <param name="Test">The held-out test samples.</param>
public sealed record TrainTestSplit(Samples Train, Samples Test)
{
    /// <summary>Both parts with every input feature standardized, (x - mean) / std, by the training part's statistics.</summary>
    public TrainTestSplit Standardized()
    {
        var s = StandardizationModule.fitTensor(Train.X);
        return new TrainTestSplit(
            Train with { X = StandardizationModule.applyTensor(s, Train.X) },
            Test with { X = StandardizationModule.applyTensor(s, Test.X) });
    }
}
