namespace Functional.CSharp;

/// <summary>
/// Named optimizers (PyTorch 1.13's torch.optim semantics for Sgd, Adagrad, RmsProp, Adam, AdamW, Amsgrad; optax's for
/// Lion and Lamb) and the building blocks they are chained from (optax's transformations). Each returns an
/// <see cref="OptimizerFn"/>; learning rates are numbers, tensors or schedules (<see cref="LearningRate"/>).
/// </summary>
public static class Optimizers
{
    private static OptimizerFn Wrap(Optimizer o) => new(o);

    /// <summary>SGD: g ← g + wd·θ; with momentum b ← μ·b + (1 - dampening)·g; θ ← θ - lr·b (or g + μ·b with Nesterov).</summary>
    public static OptimizerFn Sgd(
        LearningRate lr, double momentum = 0.0, double dampening = 0.0, bool nesterov = false, double weightDecay = 0.0) =>
        Wrap(Optim.sgd(lr.Core, momentum, dampening, nesterov, weightDecay));

    /// <summary>Adagrad: s ← s + g²; θ ← θ - lr / (1 + (t - 1)·lrDecay) · g / (√s + eps).</summary>
    public static OptimizerFn Adagrad(
        LearningRate lr, double lrDecay = 0.0, double weightDecay = 0.0, double initialAccumulator = 0.0, double eps = 1e-10) =>
        Wrap(Optim.adagrad(lr.Core, lrDecay, weightDecay, initialAccumulator, eps));

    /// <summary>RMSprop: v ← α·v + (1 - α)·g²; θ ← θ - lr · g / (√v + eps) (centered and with momentum if asked).</summary>
    public static OptimizerFn RmsProp(
        LearningRate lr,
        double alpha = 0.99,
        double eps = 1e-8,
        double weightDecay = 0.0,
        double momentum = 0.0,
        bool centered = false) =>
        Wrap(Optim.rmsprop(lr.Core, alpha, eps, weightDecay, momentum, centered));

    /// <summary>Adam: θ ← θ - lr · m̂ / (√v̂ + eps) with bias-corrected moments; L2 weight decay added to the gradient.</summary>
    public static OptimizerFn Adam(
        LearningRate lr,
        double beta1 = 0.9,
        double beta2 = 0.999,
        double eps = 1e-8,
        double weightDecay = 0.0,
        bool amsgrad = false) =>
        Wrap(Optim.adam(lr.Core, beta1, beta2, eps, weightDecay, amsgrad));

    /// <summary>AdamW: Adam with decoupled weight decay θ ← θ - lr · (m̂ / (√v̂ + eps) + wd·θ).</summary>
    public static OptimizerFn AdamW(
        LearningRate lr,
        double beta1 = 0.9,
        double beta2 = 0.999,
        double eps = 1e-8,
        double weightDecay = 1e-2,
        bool amsgrad = false) =>
        Wrap(Optim.adamW(lr.Core, beta1, beta2, eps, weightDecay, amsgrad));

    /// <summary>AMSGrad: Adam with the running maximum of the second moment.</summary>
    public static OptimizerFn Amsgrad(
        LearningRate lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.0) =>
        Wrap(Optim.amsgrad(lr.Core, beta1, beta2, eps, weightDecay));

    /// <summary>Lion: θ ← θ - lr · (sign(β₁·m + (1 - β₁)·g) + wd·θ), then m ← β₂·m + (1 - β₂)·g.</summary>
    public static OptimizerFn Lion(LearningRate lr, double beta1 = 0.9, double beta2 = 0.99, double weightDecay = 1e-3) =>
        Wrap(Optim.lion(lr.Core, beta1, beta2, weightDecay));

    /// <summary>LAMB: the Adam step plus wd·θ, scaled per tensor by ‖θ‖ / ‖step‖, times -lr.</summary>
    public static OptimizerFn Lamb(
        LearningRate lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-6, double weightDecay = 0.0) =>
        Wrap(Optim.lamb(lr.Core, beta1, beta2, eps, weightDecay));

    /// <summary>Applies the optimizers one after the other (the updates of one are the input of the next); states named "0", "1", ...</summary>
    public static OptimizerFn Chain(params OptimizerFn[] parts) => Wrap(CombineTransforms.Chain(parts.Select(p => p.Core)));

    /// <summary>Scales all updates so that their global L2 norm is at most <paramref name="maxNorm"/>.</summary>
    public static OptimizerFn ClipByGlobalNorm(double maxNorm) => Wrap(ClippingTransforms.ClipByGlobalNorm(maxNorm));

    /// <summary>Clamps every element of the updates to [-maxDelta, maxDelta].</summary>
    public static OptimizerFn ClipByValue(double maxDelta) => Wrap(ClippingTransforms.ClipByValue(maxDelta));

    /// <summary>Leaves the updates unchanged (no state).</summary>
    public static OptimizerFn Identity() => Wrap(Transform.identity);

    /// <summary>Multiplies the updates by a rate (a schedule keeps a count in the state).</summary>
    public static OptimizerFn Scale(LearningRate factor) => Wrap(Transform.scale(factor.Core));

    /// <summary>Multiplies the updates by -lr (descent).</summary>
    public static OptimizerFn ScaleByLearningRate(LearningRate lr) => Wrap(Transform.scaleByLearningRate(lr.Core));

    /// <summary>Adds weightDecay · parameters to the updates (L2 before the scaling, decoupled decay after it).</summary>
    public static OptimizerFn AddDecayedWeights(double weightDecay) => Wrap(Transform.addDecayedWeights(weightDecay));

    /// <summary>Momentum as PyTorch's SGD: b ← decay·b + (1 - dampening)·u; outputs b (or u + decay·b with Nesterov).</summary>
    public static OptimizerFn Trace(double decay, bool nesterov = false, double dampening = 0.0) =>
        Wrap(Transform.trace(decay, nesterov, dampening));

    /// <summary>Adam's scaling m̂ / (√(v̂ + epsRoot) + eps) with bias-corrected moments.</summary>
    public static OptimizerFn ScaleByAdam(
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double epsRoot = 0.0, bool amsgrad = false) =>
        Wrap(Transform.scaleByAdam(beta1, beta2, eps, epsRoot, amsgrad));

    /// <summary>RMSprop's scaling u / (√v + eps), v the running mean of u² (centered: of the variance).</summary>
    public static OptimizerFn ScaleByRms(double decay = 0.99, double eps = 1e-8, bool centered = false) =>
        Wrap(Transform.scaleByRms(decay, eps, centered));

    /// <summary>Adagrad's scaling u / (√s + eps), s the running sum of u².</summary>
    public static OptimizerFn ScaleByRss(double initialAccumulator = 0.0, double eps = 1e-10) =>
        Wrap(Transform.scaleByRss(initialAccumulator, eps));

    /// <summary>Lion's scaling sign(β₁·m + (1 - β₁)·u), then m ← β₂·m + (1 - β₂)·u.</summary>
    public static OptimizerFn ScaleByLion(double beta1 = 0.9, double beta2 = 0.99) => Wrap(Transform.scaleByLion(beta1, beta2));

    /// <summary>LAMB's trust ratio: each tensor's update times ‖param‖ / ‖update‖.</summary>
    public static OptimizerFn ScaleByTrustRatio() => Wrap(Transform.scaleByTrustRatio());

    /// <summary>Applies <paramref name="inner"/> to the tensors for which <paramref name="select"/>(path, parameter) holds; the others pass through.</summary>
    public static OptimizerFn MaskedBy(Func<string, Tensor, bool> select, OptimizerFn inner) =>
        Wrap(CombineTransforms.MaskedBy(Interop.Fun(select), inner.Core));

    /// <summary>Different optimizers for groups of parameters: <paramref name="label"/>(path, parameter) names each tensor's group.</summary>
    public static OptimizerFn Partition(Func<string, Tensor, string> label, params (string Label, OptimizerFn Optimizer)[] rules) =>
        Wrap(CombineTransforms.Partition(
            Interop.Fun(label), rules.Select(r => Tuple.Create(r.Label, r.Optimizer.Core))));

    /// <summary>Gradient accumulation: k - 1 calls give zero updates while gradients add up; every k-th call gives <paramref name="inner"/> their mean.</summary>
    public static OptimizerFn Accumulate(int k, OptimizerFn inner) => Wrap(CombineTransforms.Accumulate(k, inner.Core));

    /// <summary>
    /// <paramref name="inner"/> plus an exponential moving average of the parameters after every step,
    /// a ← decay·a + (1 − decay)·θ (Keras' <c>use_ema</c>); read it with <see cref="TrainingResult.WithAveragedWeights"/>.
    /// </summary>
    public static OptimizerFn AverageWeights(double decay, OptimizerFn inner) =>
        Wrap(WeightAverageTransforms.AverageWeights(decay, inner.Core));

    /// <summary>Multiplies the updates by a scale reduced by <paramref name="factor"/> when the metric reported with <see cref="ReportMetric"/> stops improving (PyTorch's ReduceLROnPlateau).</summary>
    public static OptimizerFn ReduceOnPlateau(
        double factor = 0.1, int patience = 10, double threshold = 1e-4, int cooldown = 0, double minScale = 0.0) =>
        Wrap(PlateauTransform.ReduceOnPlateau(factor, patience, threshold, cooldown, minScale));

    /// <summary>The optimizer state after reporting <paramref name="metric"/> (lower is better) to its reduce-on-plateau parts.</summary>
    public static ParamTree ReportMetric(double metric, ParamTree state) => new(Plateau.report(metric, state.Core));

    /// <summary>The current scale of the first reduce-on-plateau part of an optimizer state.</summary>
    public static double PlateauScale(ParamTree state) => Plateau.scale(state.Core);
}
