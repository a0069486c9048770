namespace Functional.CSharp;

/// <summary>
/// An optimizer as a pair of pure functions (optax's gradient transformation): <see cref="Init"/> makes the state for
/// some parameters, <see cref="Update"/> turns gradients into updates (to add to the parameters) and a new state.
/// The state is a <see cref="ParamTree"/>. Build one with <see cref="Optimizers"/>, combine with
/// <see cref="Optimizers.Chain"/>, or write your own with <see cref="Create(Func{ParamTree, ParamTree}, Func{ParamTree, ParamTree, ParamTree, ValueTuple{ParamTree, ParamTree}})"/>.
/// </summary>
public sealed class OptimizerFn
{
    internal OptimizerFn(Optimizer core) => Core = core;

    /// <summary>The F# core's optimizer (internal).</summary>
    internal Optimizer Core { get; }

    /// <summary>The initial state for <paramref name="parameters"/>.</summary>
    public ParamTree Init(ParamTree parameters) => new(OptimizerModule.init(Core, parameters.Core));

    /// <summary>(updates, new state) for gradients <paramref name="grads"/>; the new parameters are parameters + updates.</summary>
    public (ParamTree Updates, ParamTree State) Update(ParamTree grads, ParamTree state, ParamTree parameters)
    {
        var (u, s) = OptimizerModule.update(Core, grads.Core, state.Core, parameters.Core);
        return (new ParamTree(u), new ParamTree(s));
    }

    /// <summary>One optimization step: (new parameters, new state) from gradients (differentiable, e.g. with respect to a tensor learning rate).</summary>
    public (ParamTree Params, ParamTree State) Step(ParamTree grads, ParamTree state, ParamTree parameters)
    {
        var (p, s) = OptimizerModule.step(Core, grads.Core, state.Core, parameters.Core);
        return (new ParamTree(p), new ParamTree(s));
    }

    /// <summary>One step on a loss: (the loss before the step, new parameters, new state), the gradient taken in reverse mode.</summary>
    public (Tensor Loss, ParamTree Params, ParamTree State) Minimize(Func<ParamTree, Tensor> loss, ParamTree state, ParamTree parameters)
    {
        var (value, p, s) = OptimizerModule.minimizeStep(
            Core, Interop.Fun((Params q) => loss(new ParamTree(q))), state.Core, parameters.Core);
        return (value, new ParamTree(p), new ParamTree(s));
    }

    /// <summary>This optimizer, then <paramref name="next"/> on its updates (<see cref="Optimizers.Chain"/>).</summary>
    public OptimizerFn Then(OptimizerFn next) => Optimizers.Chain(this, next);

    /// <summary>
    /// A custom optimizer from two pure functions: <paramref name="init"/>(parameters) gives the initial state, and
    /// <paramref name="update"/>(grads, state, parameters) gives (updates, new state). Write them in tensor and
    /// <see cref="ParamTree"/> operations so the optimizer can be differentiated through.
    /// </summary>
    public static OptimizerFn Create(
        Func<ParamTree, ParamTree> init,
        Func<ParamTree, ParamTree, ParamTree, (ParamTree Updates, ParamTree State)> update) =>
        new(new Optimizer(
            Interop.Fun((Params p) => init(new ParamTree(p)).Core),
            Interop.Fun((Params g, Params s, Params p) =>
            {
                var (updates, state) = update(new ParamTree(g), new ParamTree(s), new ParamTree(p));
                return Tuple.Create(updates.Core, state.Core);
            })));

    /// <summary>A custom optimizer whose state starts empty: <paramref name="update"/>(grads, state, parameters) gives (updates, new state).</summary>
    public static OptimizerFn Create(Func<ParamTree, ParamTree, ParamTree, (ParamTree Updates, ParamTree State)> update) =>
        Create(_ => ParamTree.Empty, update);

    /// <summary>A stateless custom optimizer: <paramref name="update"/>(grads, parameters) gives the updates.</summary>
    public static OptimizerFn Stateless(Func<ParamTree, ParamTree, ParamTree> update) =>
        Create(_ => ParamTree.Empty, (g, s, p) => (update(g, p), s));
}
