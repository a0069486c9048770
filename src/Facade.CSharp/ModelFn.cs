namespace Functional.CSharp;

/// <summary>
/// A model as a pure function of its parameters: <see cref="Init(Rng, int[])"/> makes a <see cref="ParamTree"/> for a
/// per-example input shape, <see cref="Apply(ParamTree, Tensor)"/> computes the output of a batch from the
/// parameters. Nothing is stored inside the model, so gradients are taken with respect to the parameters
/// (<c>Ad.Grad(p =&gt; loss(model.Apply(p, x)), parameters)</c>). Build models with <see cref="Layer"/>.
/// </summary>
public sealed class ModelFn
{
    internal ModelFn(Model core) => Core = core;

    /// <summary>The F# core's model (internal).</summary>
    internal Model Core { get; }

    /// <summary>What the model is, e.g. "Dense(10)" or "Sequential".</summary>
    public string Name => Core.Name;

    /// <summary>Fresh parameters for a per-example input shape (without the batch dimension), e.g. <c>Init(rng, 1, 8, 8)</c>.</summary>
    public ParamTree Init(Rng rng, params int[] inputShape) => new(ModelModule.init(rng, inputShape, Core));

    /// <summary>Fresh parameters from an integer seed, for a per-example input shape (without the batch dimension).</summary>
    public ParamTree Init(int seed, params int[] inputShape) => Init(Tensors.Seed(seed), inputShape);

    /// <summary>Fresh parameters and the initial non-trainable state (batch norm's running statistics; empty for most models).</summary>
    public (ParamTree Params, ParamTree State) InitWithState(Rng rng, params int[] inputShape)
    {
        var (p, s) = ModelModule.initWithState(rng, inputShape, Core);
        return (new ParamTree(p), new ParamTree(s));
    }

    /// <summary>The per-example output shape for a per-example input shape.</summary>
    public int[] OutputShape(params int[] inputShape) => ModelModule.outputShape(inputShape, Core);

    /// <summary>The output for a batch <paramref name="x"/> (leading batch dimension) in evaluation mode: a pure function of the parameters.</summary>
    public Tensor Apply(ParamTree parameters, Tensor x) => ModelModule.apply(Core, parameters.Core, x);

    /// <summary>The output in evaluation mode for a model with state (batch norm uses the running statistics).</summary>
    public Tensor Apply(ParamTree parameters, ParamTree state, Tensor x) =>
        ModelModule.applyWith(Core, parameters.Core, state.Core, x);

    /// <summary>The output in training mode (dropout masks drawn from <paramref name="rng"/>, batch statistics) and the updated state.</summary>
    public (Tensor Output, ParamTree State) ApplyTraining(ParamTree parameters, ParamTree state, Rng rng, Tensor x)
    {
        var (y, s) = ModelModule.applyTrain(Core, parameters.Core, state.Core, rng, x);
        return (y, new ParamTree(s));
    }

    /// <summary>The model as a delegate (parameters, batch) ↦ output, in evaluation mode.</summary>
    public Func<ParamTree, Tensor, Tensor> AsFunc() => Apply;

    /// <summary>A Keras-style table of the layers for a per-example input shape: output shapes and parameter counts.</summary>
    public string Summary(params int[] inputShape) => ModelModule.summary(inputShape, Core);

    /// <summary>This model, then <paramref name="next"/> on its output (chains stay one flat sequential).</summary>
    public ModelFn Then(ModelFn next) => new(ModelModule.chain(Core, next.Core));

    /// <summary><paramref name="f"/> applied to the model's output (f must keep the batch dimension).</summary>
    public ModelFn Map(Func<Tensor, Tensor> f) => new(ModelModule.map(Interop.Fun(f), Core));

    /// <summary>The same model under another name (shown by <see cref="Summary"/>).</summary>
    public ModelFn Rename(string name) => new(ModelModule.rename(name, Core));

    /// <summary>
    /// A layer with parameters from two pure functions: <paramref name="init"/>(rng, per-example input shape) gives the
    /// parameters and the per-example output shape; <paramref name="apply"/>(parameters, batch) gives the output.
    /// </summary>
    public static ModelFn Create(
        string name,
        Func<Rng, int[], (ParamTree Params, int[] OutputShape)> init,
        Func<ParamTree, Tensor, Tensor> apply)
    {
        var coreInit = Interop.Fun((Rng rng, int[] shape) =>
        {
            var (p, outShape) = init(rng, shape);
            return Tuple.Create(p.Core, outShape);
        });
        var coreApply = Interop.Fun((Params p, Tensor x) => apply(new ParamTree(p), x));
        return new ModelFn(ModelModule.create(name, coreInit, coreApply));
    }

    /// <summary>A parameterless layer computing <paramref name="f"/> on a batch (f must keep the leading batch dimension).</summary>
    public static ModelFn Lambda(string name, Func<Tensor, Tensor> f) => new(ModelModule.lambda(name, Interop.Fun(f)));

    /// <summary>The model's name.</summary>
    public override string ToString() => $"ModelFn({Name})";
}
