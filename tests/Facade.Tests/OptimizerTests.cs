using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>Optimizers from C#: built-in ones, custom ones written as C# lambdas, chains and hypergradients.</summary>
public class OptimizerTests
{
    private static Tensor Vec(params double[] values) => Tensors.Create(values, Dtype.Float64);

    private static readonly Tensor X = Tensors.Create(new[,] { { 0.5, -1.0 }, { 1.5, 0.3 }, { -0.2, 0.8 } }, Dtype.Float64);
    private static readonly Tensor Y = Tensors.Create(new[,] { { 1.0 }, { -1.0 }, { 0.5 } }, Dtype.Float64);

    private static Tensor LossOf(ParamTree p)
    {
        var d = X.Matmul(p.Get("w")) + p.Get("b") - Y;
        return (d * d).Mean();
    }

    private static readonly ParamTree Start =
        ParamTree.Of(("w", Tensors.Create(new[,] { { 0.1 }, { -0.2 } }, Dtype.Float64)), ("b", Tensors.Scalar(0.0, Dtype.Float64)));

    private static ParamTree Run(OptimizerFn opt, int steps)
    {
        var p = Start;
        var state = opt.Init(p);
        for (var i = 0; i < steps; i++)
            (_, p, state) = opt.Minimize(LossOf, state, p);
        return p;
    }

    // AdaBelief, exactly as in docs/custom-optimizer.md ("The same in C#").
    // AdaBelief's scaling (Zhuang et al. 2020, without bias correction): m / (√s + eps), s tracking (g - m)².
    static OptimizerFn ScaleByBelief(double b1 = 0.9, double b2 = 0.999, double eps = 1e-16) =>
        OptimizerFn.Create(
            init: p => ParamTree.Group(("mu", p.ZerosLike()), ("s", p.ZerosLike())),
            update: (g, state, _) =>
            {
                var mu = b1 * state["mu"] + (1 - b1) * g;
                var s = b2 * state["s"] + (1 - b2) * (g - mu) * (g - mu) + eps;
                return (mu.Map(s, (m, v) => m / (v.Sqrt() + eps)), ParamTree.Group(("mu", mu), ("s", s)));
            });

    static OptimizerFn AdaBelief(double lr) => Optimizers.Chain(ScaleByBelief(), Optimizers.ScaleByLearningRate(lr));

    [Fact]
    public void ACustomOptimizerFromALambdaMatchesTheBuiltIn()
    {
        // SGD with momentum written as (grads, state, params) => (updates, state).
        var momentum = OptimizerFn.Create(
            init: p => p.ZerosLike(),
            update: (g, velocity, _) =>
            {
                var v = 0.9 * velocity + g;
                return (-0.05 * v, v);
            });
        var mine = Run(momentum, 20);
        var builtIn = Run(Optimizers.Sgd(0.05, momentum: 0.9), 20);
        foreach (var path in mine.Paths)
            Assert.True(Tensors.AllClose(mine.Get(path), builtIn.Get(path), rtol: 1e-12, atol: 1e-12), path);
    }

    [Fact]
    public void TheCSharpAdaBeliefLowersTheLossAndComposes()
    {
        var adaBelief = Optimizers.Chain(Optimizers.ClipByGlobalNorm(1.0), AdaBelief(0.05));
        var before = LossOf(Start).ToDouble();
        var after = LossOf(Run(adaBelief, 50)).ToDouble();
        Assert.True(after < 0.5 * before, $"loss {before} -> {after}");

        var state = adaBelief.Init(Start);
        Assert.Equal(new[] { "1.0.mu.w", "1.0.mu.b", "1.0.s.w", "1.0.s.b" }, state.Paths);
    }

    [Fact]
    public void AStatelessCustomOptimizerAndThen()
    {
        var signSgd = OptimizerFn.Stateless((g, _) => g.Map(t => -0.01 * t.Sign()));
        var p = Run(signSgd.Then(Optimizers.ClipByValue(0.005)), 1);
        // Every parameter moved by exactly 0.005 against the sign of its gradient.
        var moved = (p - Start).Map(t => t.Abs()).Flatten().ToDoubles();
        Assert.All(moved, d => Assert.Equal(0.005, d, 12));
    }

    [Fact]
    public void AHypergradientThroughTenStepsOfTraining()
    {
        // d(loss after 10 SGD steps)/d(learning rate), by reverse mode through the unrolled training.
        Tensor LossAfterTraining(Tensor lr) => LossOf(Run(Optimizers.Sgd(lr, momentum: 0.9), 10));
        var lr = Tensors.Scalar(0.1, Dtype.Float64);
        var (value, dLossDLr) = Ad.ValueAndGrad(LossAfterTraining, lr);
        const double h = 1e-5;
        var central = (LossAfterTraining(Tensors.Scalar(0.1 + h, Dtype.Float64)).ToDouble()
                       - LossAfterTraining(Tensors.Scalar(0.1 - h, Dtype.Float64)).ToDouble()) / (2 * h);
        Assert.Equal(LossAfterTraining(lr).ToDouble(), value.ToDouble(), 12);
        Assert.Equal(central, dLossDLr.ToDouble(), 1e-6);
    }

    [Fact]
    public void SchedulesConvertToLearningRates()
    {
        LearningRate rate = Schedules.StepDecay(0.1, stepSize: 2, gamma: 0.5);
        Assert.True(rate.IsScheduled);
        Assert.Equal(0.025, rate.At(4).ToDouble(), 12);
        var p = Run(Optimizers.Adam(Schedules.CosineDecay(0.05, 20)), 20);
        Assert.True(LossOf(p).ToDouble() < LossOf(Start).ToDouble());
    }

    [Fact]
    public void EveryNamedOptimizerLowersTheLoss()
    {
        var named = new (string, OptimizerFn)[]
        {
            ("sgd", Optimizers.Sgd(0.05)), ("adagrad", Optimizers.Adagrad(0.1)), ("rmsprop", Optimizers.RmsProp(0.01)),
            ("adam", Optimizers.Adam(0.05)), ("adamw", Optimizers.AdamW(0.05)), ("amsgrad", Optimizers.Amsgrad(0.05)),
            ("lion", Optimizers.Lion(0.01)), ("lamb", Optimizers.Lamb(0.05)),
            ("accumulate", Optimizers.Accumulate(2, Optimizers.Sgd(0.05))),
            ("masked", Optimizers.Chain(Optimizers.MaskedBy((path, _) => path == "w", Optimizers.AddDecayedWeights(1e-3)), Optimizers.Sgd(0.05))),
            ("partition", Optimizers.Partition((path, _) => path, ("w", Optimizers.Sgd(0.05)), ("b", Optimizers.Adam(0.01)))),
        };
        foreach (var (name, opt) in named)
            Assert.True(LossOf(Run(opt, 10)).ToDouble() < LossOf(Start).ToDouble(), name);
    }

    [Fact]
    public void ReduceOnPlateauIsDrivenByReportedMetrics()
    {
        var opt = Optimizers.Chain(Optimizers.Sgd(0.1), Optimizers.ReduceOnPlateau(factor: 0.5, patience: 1));
        var state = opt.Init(Start);
        foreach (var metric in new[] { 1.0, 1.0, 1.0 })
            state = Optimizers.ReportMetric(metric, state);
        Assert.Equal(0.5, Optimizers.PlateauScale(state), 12);
    }
}
