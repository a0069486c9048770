using System.Collections;
using Microsoft.FSharp.Collections;

namespace Functional.CSharp;

/// <summary>
/// An immutable, ordered tree of named tensors: the parameters of a model, their gradients, or an optimizer's state.
/// A tensor is addressed by the dotted path of names from the root, e.g. <c>"0.weight"</c>. Trees of the same
/// structure combine tensor by tensor with <c>+ - * /</c>; enumerate it for the (path, tensor) pairs.
/// </summary>
public sealed class ParamTree : IEnumerable<(string Path, Tensor Tensor)>
{
    internal ParamTree(Params core) => Core = core;

    /// <summary>The F# core's tree (internal).</summary>
    internal Params Core { get; }

    /// <summary>The tree with no tensors.</summary>
    public static ParamTree Empty { get; } = new(ParamsModule.empty);

    /// <summary>A tree holding one tensor at the root (its path is "").</summary>
    public static ParamTree Leaf(Tensor tensor) => new(ParamsModule.leaf(tensor));

    /// <summary>A tree from (dotted path, tensor) pairs, e.g. <c>ParamTree.Of(("layer.weight", w), ("layer.bias", b))</c>.</summary>
    public static ParamTree Of(params (string Path, Tensor Tensor)[] entries) => Of(entries.AsEnumerable());

    /// <summary>A tree from (dotted path, tensor) pairs; groups keep the order in which their names first appear.</summary>
    public static ParamTree Of(IEnumerable<(string Path, Tensor Tensor)> entries) =>
        new(ParamsModule.ofList(entries.Select(e => Tuple.Create(e.Path, e.Tensor))));

    /// <summary>A group of named subtrees, in order (names are unique, non-empty and contain no '.').</summary>
    public static ParamTree Group(params (string Name, ParamTree Child)[] children) =>
        new(ParamsModule.group(children.Select(c => Tuple.Create(c.Name, c.Child.Core))));

    /// <summary>The tensor at a dotted path; a clear error listing the paths there are if it is missing.</summary>
    public Tensor Get(string path) => ParamsModule.get(path, Core);

    /// <summary>The subtree at a dotted path ("" is the whole tree).</summary>
    public ParamTree this[string path] => new(ParamsModule.find(path, Core));

    /// <summary>True when there is a tensor or a group at the dotted path.</summary>
    public bool Contains(string path) => ParamsModule.tryFind(path, Core) is not null;

    /// <summary>The tree with the tensor at an existing dotted path replaced.</summary>
    public ParamTree Set(string path, Tensor value) => new(ParamsModule.set(path, ParamsModule.leaf(value), Core));

    /// <summary>The tree with the subtree at an existing dotted path replaced.</summary>
    public ParamTree Set(string path, ParamTree value) => new(ParamsModule.set(path, value.Core, Core));

    /// <summary>True when the whole tree is one tensor.</summary>
    public bool IsLeaf => Core.IsLeaf;

    /// <summary>The dotted paths of the tensors, in order.</summary>
    public IReadOnlyList<string> Paths => ParamsModule.paths(Core).ToArray();

    /// <summary>The tensors, in order.</summary>
    public IReadOnlyList<Tensor> Tensors => ParamsModule.tensors(Core).ToArray();

    /// <summary>The number of tensors.</summary>
    public int TensorCount => ParamsModule.tensors(Core).Length;

    /// <summary>The total number of elements (scalar parameters) of all tensors.</summary>
    public int ElementCount => ParamsModule.count(Core);

    /// <summary>Applies <paramref name="f"/> to every tensor, keeping the structure.</summary>
    public ParamTree Map(Func<Tensor, Tensor> f) => new(ParamsModule.map(Interop.Fun(f), Core));

    /// <summary>Applies <paramref name="f"/>(path, tensor) to every tensor, keeping the structure.</summary>
    public ParamTree Map(Func<string, Tensor, Tensor> f) => new(ParamsModule.mapi(Interop.Fun(f), Core));

    /// <summary>Combines the tensors at the same paths of two trees of the same structure.</summary>
    public ParamTree Map(ParamTree other, Func<Tensor, Tensor, Tensor> f) =>
        new(ParamsModule.map2(Interop.Fun(f), Core, other.Core));

    /// <summary>Combines the tensors at the same paths of three trees of the same structure.</summary>
    public ParamTree Map(ParamTree second, ParamTree third, Func<Tensor, Tensor, Tensor, Tensor> f) =>
        new(ParamsModule.map3(Interop.Fun(f), Core, second.Core, third.Core));

    /// <summary>The tensors for which <paramref name="keep"/>(path, tensor) holds (groups left empty are dropped).</summary>
    public ParamTree Where(Func<string, Tensor, bool> keep) => new(ParamsModule.filter(Interop.Fun(keep), Core));

    /// <summary>This tree with the tensors at the paths present in <paramref name="part"/> replaced by those of <paramref name="part"/>.</summary>
    public ParamTree Merge(ParamTree part) => new(ParamsModule.merge(Core, part.Core));

    /// <summary>A tree of this structure holding <paramref name="tensors"/> in order.</summary>
    public ParamTree WithTensors(IEnumerable<Tensor> tensors) => new(ParamsModule.withTensors(Core, tensors));

    /// <summary>True when both trees have the same names in the same order and tensors of the same shapes.</summary>
    public bool SameStructure(ParamTree other) => ParamsModule.sameStructure(Core, other.Core);

    /// <summary>Zeros of the shapes, dtypes and devices of the tensors (constants).</summary>
    public ParamTree ZerosLike() => new(ParamsModule.zerosLike(Core));

    /// <summary>Ones of the shapes, dtypes and devices of the tensors (constants).</summary>
    public ParamTree OnesLike() => new(ParamsModule.onesLike(Core));

    /// <summary><paramref name="value"/> in every element, with the shapes, dtypes and devices of the tensors.</summary>
    public ParamTree FullLike(double value) => new(ParamsModule.fullLike(value, Core));

    /// <summary>Σ p·q over all elements of two trees of the same structure (a scalar tensor).</summary>
    public Tensor Dot(ParamTree other) => ParamsModule.dot(Core, other.Core);

    /// <summary>The global L2 norm √(Σ p²) over all elements (a scalar tensor).</summary>
    public Tensor Norm() => ParamsModule.norm(Core);

    /// <summary>All elements in one vector, leaf after leaf (differentiable).</summary>
    public Tensor Flatten() => ParamsModule.flatten(Core);

    /// <summary>The tree of this structure holding the elements of the vector <paramref name="vector"/> (the inverse of <see cref="Flatten"/>).</summary>
    public ParamTree Unflatten(Tensor vector) => new(ParamsModule.unflatten(Core, vector));

    /// <summary>The (path, tensor) pairs in order.</summary>
    public IEnumerator<(string Path, Tensor Tensor)> GetEnumerator() =>
        ParamsModule.toList(Core).Select(e => (e.Item1, e.Item2)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A table of the tensors (path, shape, dtype) with the totals.</summary>
    public override string ToString() => Core.ToString();

    /// <summary>Sum, tensor by tensor.</summary>
    public static ParamTree operator +(ParamTree p, ParamTree q) => new(p.Core + q.Core);

    /// <summary>Difference, tensor by tensor.</summary>
    public static ParamTree operator -(ParamTree p, ParamTree q) => new(p.Core - q.Core);

    /// <summary>Elementwise product, tensor by tensor.</summary>
    public static ParamTree operator *(ParamTree p, ParamTree q) => new(p.Core * q.Core);

    /// <summary>Elementwise quotient, tensor by tensor.</summary>
    public static ParamTree operator /(ParamTree p, ParamTree q) => new(p.Core / q.Core);

    /// <summary>Every tensor times a number.</summary>
    public static ParamTree operator *(double a, ParamTree p) => new(a * p.Core);

    /// <summary>Every tensor times a number.</summary>
    public static ParamTree operator *(ParamTree p, double a) => new(p.Core * a);

    /// <summary>Every tensor times a (scalar or broadcastable) tensor.</summary>
    public static ParamTree operator *(Tensor a, ParamTree p) => new(a * p.Core);

    /// <summary>Every tensor times a (scalar or broadcastable) tensor.</summary>
    public static ParamTree operator *(ParamTree p, Tensor a) => new(p.Core * a);

    /// <summary>Every tensor divided by a number.</summary>
    public static ParamTree operator /(ParamTree p, double a) => new(p.Core / a);

    /// <summary>Every tensor divided by a (scalar or broadcastable) tensor.</summary>
    public static ParamTree operator /(ParamTree p, Tensor a) => new(p.Core / a);

    /// <summary>A number added to every element.</summary>
    public static ParamTree operator +(ParamTree p, double a) => new(p.Core + a);

    /// <summary>A number subtracted from every element.</summary>
    public static ParamTree operator -(ParamTree p, double a) => new(p.Core + -a);

    /// <summary>Every tensor negated.</summary>
    public static ParamTree operator -(ParamTree p) => new(-p.Core);
}
