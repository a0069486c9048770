namespace Functional.CSharp;

/// <summary>Conversions of tensors for C# callers (all operations are in <see cref="TensorOps"/>).</summary>
public static class TensorExtensions
{
    /// <summary>Converts to another dtype (differentiable between float types).</summary>
    public static Tensor To(this Tensor x, Dtype dtype) => ConversionMembers.ToDtype(x, dtype);

    /// <summary>The elements as a flat array of doubles (row-major).</summary>
    public static double[] ToDoubles(this Tensor x) => x.ToArray<double>();
}
