namespace Functional.CSharp;

/// <summary>Creating tensors from C#: arrays, constants, ranges and random values (with an explicit <see cref="Rng"/>).</summary>
public static class Tensors
{
    /// <summary>A tensor from a number or a .NET array (1-4 D, rectangular or jagged); Float32 unless <paramref name="dtype"/> is given.</summary>
    public static Tensor Create(object data, Dtype? dtype = null, Device? device = null) =>
        Tensor.create(data, Interop.Opt(dtype), Interop.Opt(device));

    /// <summary>A 0-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, Dtype? dtype = null, Device? device = null) =>
        Tensor.scalar(value, Interop.Opt(dtype), Interop.Opt(device));

    /// <summary>A tensor of zeros of the given shape.</summary>
    public static Tensor Zeros(int[] shape, Dtype? dtype = null, Device? device = null) =>
        Tensor.zeros(shape, Interop.Opt(dtype), Interop.Opt(device));

    /// <summary>A tensor of ones of the given shape.</summary>
    public static Tensor Ones(int[] shape, Dtype? dtype = null, Device? device = null) =>
        Tensor.ones(shape, Interop.Opt(dtype), Interop.Opt(device));

    /// <summary>A tensor of the given shape filled with <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, double value, Dtype? dtype = null, Device? device = null) =>
        Tensor.full(shape, value, Interop.Opt(dtype), Interop.Opt(device));

    /// <summary>The n×m identity matrix (m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null, Dtype? dtype = null, Device? device = null) =>
        CreationMembers.Eye(n, Interop.Opt(m), Interop.Opt(dtype), Interop.Opt(device));

    /// <summary>Values start, start + step, ... below stop.</summary>
    public static Tensor Arange(double start, double stop, double step = 1.0, Dtype? dtype = null, Device? device = null) =>
        CreationMembers.Arange(start, stop, Interop.Opt<double>(step), Interop.Opt(dtype), Interop.Opt(device));

    /// <summary><paramref name="count"/> evenly spaced values from start to stop inclusive.</summary>
    public static Tensor Linspace(double start, double stop, int count, Dtype? dtype = null, Device? device = null) =>
        CreationMembers.Linspace(start, stop, count, Interop.Opt(dtype), Interop.Opt(device));

    /// <summary>Standard normal samples; the same <paramref name="rng"/> gives bit-identical values.</summary>
    public static Tensor Randn(Rng rng, int[] shape, Dtype? dtype = null, Device? device = null) =>
        CreationMembers.Randn(rng, shape, Interop.Opt(dtype), Interop.Opt(device));

    /// <summary>Uniform samples in [0, 1); the same <paramref name="rng"/> gives bit-identical values.</summary>
    public static Tensor Rand(Rng rng, int[] shape, Dtype? dtype = null, Device? device = null) =>
        CreationMembers.Rand(rng, shape, Interop.Opt(dtype), Interop.Opt(device));

    /// <summary>A random key from an integer seed (see <see cref="Functional.Rng"/>).</summary>
    public static Rng Seed(int seed) => Functional.RngModule.seed(seed);

    /// <summary>Two independent keys from one.</summary>
    public static (Rng Left, Rng Right) Split(Rng rng)
    {
        var (a, b) = Functional.RngModule.split(rng);
        return (a, b);
    }

    /// <summary>True when both tensors have the same shape and |a - b| &lt;= atol + rtol |b| everywhere.</summary>
    public static bool AllClose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8) =>
        CreationMembers.Allclose(a, b, Interop.Opt<double>(rtol), Interop.Opt<double>(atol));
}
