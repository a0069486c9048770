using Microsoft.FSharp.Core;

namespace Functional.CSharp;

/// <summary>
/// Loss functions (PyTorch's semantics), differentiable in every argument that carries a derivative. The two-argument
/// overloads convert to <c>Func&lt;Tensor, Tensor, Tensor&gt;</c>, so they can be passed by name:
/// <c>Training.Fit(model, Loss.CrossEntropy, ...)</c>.
/// </summary>
public static class Loss
{
    private static FSharpOption<Reduction> Reduce(LossReduction r) =>
        FSharpOption<Reduction>.Some(r switch
        {
            LossReduction.Mean => Reduction.Mean,
            LossReduction.Sum => Reduction.Sum,
            LossReduction.None => Reduction.None,
            LossReduction.BatchMean => Reduction.BatchMean,
            _ => throw new ArgumentOutOfRangeException(nameof(r), r, "Use a LossReduction value."),
        });

    /// <summary>Cross-entropy of logits [N, C, ...] against class indices [N, ...] (or class probabilities of the logits' shape), averaged.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets) => Losses.crossEntropy(logits, targets, null, null, null, null);

    /// <summary>Cross-entropy with optional class weights, an ignored class index and label smoothing ε (PyTorch's CrossEntropyLoss).</summary>
    public static Tensor CrossEntropy(
        Tensor logits,
        Tensor targets,
        Tensor? weight = null,
        int ignoreIndex = -100,
        double labelSmoothing = 0.0,
        LossReduction reduction = LossReduction.Mean) =>
        Losses.crossEntropy(logits, targets, Interop.Opt(weight), ignoreIndex, labelSmoothing, Reduce(reduction));

    /// <summary>Negative log-likelihood of log-probabilities [N, C, ...] at class indices [N, ...], averaged.</summary>
    public static Tensor Nll(Tensor logProbabilities, Tensor targets) => Losses.nll(logProbabilities, targets, null, null, null);

    /// <summary>Negative log-likelihood with optional class weights and an ignored class index (PyTorch's NLLLoss).</summary>
    public static Tensor Nll(
        Tensor logProbabilities,
        Tensor targets,
        Tensor? weight = null,
        int ignoreIndex = -100,
        LossReduction reduction = LossReduction.Mean) =>
        Losses.nll(logProbabilities, targets, Interop.Opt(weight), ignoreIndex, Reduce(reduction));

    /// <summary>Mean squared error mean((input - target)²).</summary>
    public static Tensor Mse(Tensor input, Tensor target) => Losses.mse(input, target, null);

    /// <summary>Squared error (input - target)², reduced as asked.</summary>
    public static Tensor Mse(Tensor input, Tensor target, LossReduction reduction) => Losses.mse(input, target, Reduce(reduction));

    /// <summary>Mean absolute error mean(|input - target|) (PyTorch's L1Loss).</summary>
    public static Tensor Mae(Tensor input, Tensor target) => Losses.mae(input, target, null);

    /// <summary>Absolute error |input - target|, reduced as asked.</summary>
    public static Tensor Mae(Tensor input, Tensor target, LossReduction reduction) => Losses.mae(input, target, Reduce(reduction));

    /// <summary>Huber loss with threshold δ: ½d² where |d| &lt; δ, δ(|d| - ½δ) elsewhere.</summary>
    public static Tensor Huber(Tensor input, Tensor target, double delta = 1.0, LossReduction reduction = LossReduction.Mean) =>
        Losses.huber(input, target, delta, Reduce(reduction));

    /// <summary>Smooth L1 loss with threshold β: ½d²/β where |d| &lt; β, |d| - ½β elsewhere.</summary>
    public static Tensor SmoothL1(Tensor input, Tensor target, double beta = 1.0, LossReduction reduction = LossReduction.Mean) =>
        Losses.smoothL1(input, target, beta, Reduce(reduction));

    /// <summary>Binary cross-entropy of probabilities p against targets t in [0, 1]: -w (t log p + (1 - t) log(1 - p)).</summary>
    public static Tensor BinaryCrossEntropy(
        Tensor probabilities, Tensor targets, Tensor? weight = null, LossReduction reduction = LossReduction.Mean) =>
        Losses.binaryCrossEntropy(probabilities, targets, Interop.Opt(weight), Reduce(reduction));

    /// <summary>Binary cross-entropy on logits (numerically stable), with optional weights and a weight of positives per class.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(
        Tensor logits,
        Tensor targets,
        Tensor? weight = null,
        Tensor? posWeight = null,
        LossReduction reduction = LossReduction.Mean) =>
        Losses.binaryCrossEntropyWithLogits(logits, targets, Interop.Opt(weight), Interop.Opt(posWeight), Reduce(reduction));

    /// <summary>Kullback-Leibler divergence KL(target ‖ exp input) of log-probabilities <paramref name="input"/> (mean over elements; BatchMean gives KL per example).</summary>
    public static Tensor KlDiv(Tensor input, Tensor target, bool logTarget = false, LossReduction reduction = LossReduction.Mean) =>
        Losses.klDiv(input, target, logTarget, Reduce(reduction));

    /// <summary>Cosine embedding loss of pairs x1, x2 [N, D] with labels ±1: 1 - cos for y = 1, max(0, cos - margin) for y = -1.</summary>
    public static Tensor CosineEmbedding(
        Tensor x1, Tensor x2, Tensor y, double margin = 0.0, LossReduction reduction = LossReduction.Mean) =>
        Losses.cosineEmbedding(x1, x2, y, margin, Reduce(reduction));

    /// <summary>Σ |θ| over all parameters (the lasso penalty; filter the tree first to leave out biases).</summary>
    public static Tensor L1(ParamTree parameters) => Regularization.l1(parameters.Core);

    /// <summary>Σ θ² over all parameters (the ridge penalty).</summary>
    public static Tensor L2(ParamTree parameters) => Regularization.l2(parameters.Core);
}
