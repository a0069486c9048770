namespace Functional.CSharp;

/// <summary>
/// Automatic differentiation from C#: derivatives of functions written as lambdas over <see cref="Tensor"/>.
/// Calls nest freely (a gradient of a gradient), in any mix of forward and reverse mode.
/// </summary>
public static class Ad
{
    /// <summary>∇f(x) for a scalar-valued f (reverse mode).</summary>
    public static Tensor Grad(Func<Tensor, Tensor> f, Tensor x) => Diff.grad(Interop.Fun(f), x);

    /// <summary>The gradient as a function: <c>Ad.Grad(f)(x)</c>, handy for nesting.</summary>
    public static Func<Tensor, Tensor> Grad(Func<Tensor, Tensor> f) => x => Grad(f, x);

    /// <summary>(f(x), ∇f(x)) for a scalar-valued f.</summary>
    public static (Tensor Value, Tensor Gradient) ValueAndGrad(Func<Tensor, Tensor> f, Tensor x)
    {
        var (value, gradient) = Diff.valueAndGrad(Interop.Fun(f), x);
        return (value, gradient);
    }

    /// <summary>f'(x) for a function of a scalar (forward mode).</summary>
    public static Tensor Derivative(Func<Tensor, Tensor> f, Tensor x) => Diff.diff(Interop.Fun(f), x);

    /// <summary>The derivative as a function, for nesting.</summary>
    public static Func<Tensor, Tensor> Derivative(Func<Tensor, Tensor> f) => x => Derivative(f, x);

    /// <summary>The n-th derivative of a function of a scalar.</summary>
    public static Tensor Derivative(Func<Tensor, Tensor> f, Tensor x, int order) => Diff.diffn(order, Interop.Fun(f), x);

    /// <summary>(f(x), J v): the value and the Jacobian-vector product (forward mode).</summary>
    public static (Tensor Value, Tensor Tangent) Jvp(Func<Tensor, Tensor> f, Tensor x, Tensor v)
    {
        var (value, tangent) = Diff.jvp(Interop.Fun(f), x, v);
        return (value, tangent);
    }

    /// <summary>(f(x), u ↦ Jᵀu): the value and the pullback (reverse mode); the pullback may be called many times.</summary>
    public static (Tensor Value, Func<Tensor, Tensor> Pullback) Vjp(Func<Tensor, Tensor> f, Tensor x)
    {
        var (value, pullback) = Diff.vjp(Interop.Fun(f), x);
        return (value, u => pullback.Invoke(u));
    }

    /// <summary>The Jacobian (output shape followed by input shape), choosing forward or reverse mode.</summary>
    public static Tensor Jacobian(Func<Tensor, Tensor> f, Tensor x) => Diff.jacobian(Interop.Fun(f), x);

    /// <summary>The Hessian of a scalar-valued f (input shape followed by input shape).</summary>
    public static Tensor Hessian(Func<Tensor, Tensor> f, Tensor x) => Diff.hessian(Interop.Fun(f), x);

    /// <summary>The Hessian-vector product H v of a scalar-valued f (forward-over-reverse).</summary>
    public static Tensor Hvp(Func<Tensor, Tensor> f, Tensor x, Tensor v) => Diff.hvp(Interop.Fun(f), x, v);

    /// <summary>The Laplacian Σᵢ ∂²f/∂xᵢ² of a scalar-valued f.</summary>
    public static Tensor Laplacian(Func<Tensor, Tensor> f, Tensor x) => Diff.laplacian(Interop.Fun(f), x);

    /// <summary>∇f(p) for a scalar-valued f of a parameter tree, with the structure of p (one reverse sweep for all tensors).</summary>
    public static ParamTree Grad(Func<ParamTree, Tensor> f, ParamTree parameters) =>
        new(DiffParams.grad(Tree(f), parameters.Core));

    /// <summary>(f(p), ∇f(p)) for a scalar-valued f of a parameter tree.</summary>
    public static (Tensor Value, ParamTree Gradient) ValueAndGrad(Func<ParamTree, Tensor> f, ParamTree parameters)
    {
        var (value, gradient) = DiffParams.valueAndGrad(Tree(f), parameters.Core);
        return (value, new ParamTree(gradient));
    }

    /// <summary>(f(p), J v): the value and the directional derivative along a tree <paramref name="direction"/> of p's structure (forward mode).</summary>
    public static (Tensor Value, Tensor Tangent) Jvp(Func<ParamTree, Tensor> f, ParamTree parameters, ParamTree direction)
    {
        var (value, tangent) = DiffParams.jvp(Tree(f), parameters.Core, direction.Core);
        return (value, tangent);
    }

    /// <summary>(f(p), u ↦ Jᵀu): the value and the pullback, which returns a tree shaped like p.</summary>
    public static (Tensor Value, Func<Tensor, ParamTree> Pullback) Vjp(Func<ParamTree, Tensor> f, ParamTree parameters)
    {
        var (value, pullback) = DiffParams.vjp(Tree(f), parameters.Core);
        return (value, u => new ParamTree(pullback.Invoke(u)));
    }

    /// <summary>The Hessian-vector product H v of a scalar f of a tree, with the structure of p (forward-over-reverse).</summary>
    public static ParamTree Hvp(Func<ParamTree, Tensor> f, ParamTree parameters, ParamTree direction) =>
        new(DiffParams.hvp(Tree(f), parameters.Core, direction.Core));

    /// <summary>The Hessian of a scalar f of a tree as an [n, n] matrix over <see cref="ParamTree.Flatten"/> (n = <see cref="ParamTree.ElementCount"/>).</summary>
    public static Tensor Hessian(Func<ParamTree, Tensor> f, ParamTree parameters) =>
        DiffParams.hessian(Tree(f), parameters.Core);

    private static Microsoft.FSharp.Core.FSharpFunc<Params, Tensor> Tree(Func<ParamTree, Tensor> f) =>
        Interop.Fun((Params p) => f(new ParamTree(p)));

    /// <summary>The same value with every derivative removed.</summary>
    public static Tensor StopGradient(Tensor x) => Diff.stopGradient(x);

    /// <summary>
    /// Checks f's derivatives against central finite differences in Float64, to second order in forward and reverse
    /// mode; throws <see cref="GradCheckException"/> showing where they disagree.
    /// </summary>
    public static void GradCheck(Func<Tensor, Tensor> f, Tensor x) => Functional.GradCheck.check(Interop.Fun(f), x);

    /// <summary><paramref name="f"/> with a user-given reverse-mode rule pullback(x, y, u) = Jᵀu, written in tensor ops.</summary>
    public static Func<Tensor, Tensor> CustomVjp(Func<Tensor, Tensor> f, Func<Tensor, Tensor, Tensor, Tensor> pullback)
    {
        var g = Diff.customVjp(Interop.Fun(f), Interop.Fun(pullback));
        return x => g.Invoke(x);
    }
}
