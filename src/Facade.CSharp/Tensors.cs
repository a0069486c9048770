namespace Functional.CSharp;

/// <summary>
/// Creating tensors from C#: arrays, constants, ranges and random values (with an explicit <see cref="Rng"/>).
/// A tensor made here belongs to the caller even when it is made inside a lambda given to <see cref="Ad"/> or
/// <see cref="Training"/> (e.g. a static field initialized there): it is freed by the GC, never by the call.
/// </summary>
public static class Tensors
{
    /// <summary>Runs <paramref name="make"/> so that the tensors it creates outlive any enclosing native memory scope.</summary>
    private static Tensor Owned(Func<Tensor> make)
    {
        var scope = TorchSharp.torch.NewDisposeScope();
        try
        {
            return make();
        }
        finally
        {
            scope.Detach(scope.DisposablesView.ToArray());
            scope.Dispose();
        }
    }

    /// <summary>A tensor from a number or a .NET array (1-4 D, rectangular or jagged); Float32 unless <paramref name="dtype"/> is given.</summary>
    public static Tensor Create(object data, Dtype? dtype = null, Device? device = null) =>
        Owned(() => Tensor.create(data, Interop.Opt(dtype), Interop.Opt(device)));

    /// <summary>A 0-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, Dtype? dtype = null, Device? device = null) =>
        Owned(() => Tensor.scalar(value, Interop.Opt(dtype), Interop.Opt(device)));

    /// <summary>A tensor of zeros of the given shape.</summary>
    public static Tensor Zeros(int[] shape, Dtype? dtype = null, Device? device = null) =>
        Owned(() => Tensor.zeros(shape, Interop.Opt(dtype), Interop.Opt(device)));

    /// <summary>A tensor of ones of the given shape.</summary>
    public static Tensor Ones(int[] shape, Dtype? dtype = null, Device? device = null) =>
        Owned(() => Tensor.ones(shape, Interop.Opt(dtype), Interop.Opt(device)));

    /// <summary>A tensor of the given shape filled with <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, double value, Dtype? dtype = null, Device? device = null) =>
        Owned(() => Tensor.full(shape, value, Interop.Opt(dtype), Interop.Opt(device)));

    /// <summary>The n×m identity matrix (m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null, Dtype? dtype = null, Device? device = null) =>
        Owned(() => CreationMembers.Eye(n, Interop.Opt(m), Interop.Opt(dtype), Interop.Opt(device)));

    /// <summary>Values start, start + step, ... below stop.</summary>
    public static Tensor Arange(double start, double stop, double step = 1.0, Dtype? dtype = null, Device? device = null) =>
        Owned(() => CreationMembers.Arange(start, stop, Interop.Opt<double>(step), Interop.Opt(dtype), Interop.Opt(device)));

    /// <summary><paramref name="count"/> evenly spaced values from start to stop inclusive.</summary>
    public static Tensor Linspace(double start, double stop, int count, Dtype? dtype = null, Device? device = null) =>
        Owned(() => CreationMembers.Linspace(start, stop, count, Interop.Opt(dtype), Interop.Opt(device)));

    /// <summary>Standard normal samples; the same <paramref name="rng"/> gives bit-identical values.</summary>
    public static Tensor Randn(Rng rng, int[] shape, Dtype? dtype = null, Device? device = null) =>
        Owned(() => CreationMembers.Randn(rng, shape, Interop.Opt(dtype), Interop.Opt(device)));

    /// <summary>Uniform samples in [0, 1); the same <paramref name="rng"/> gives bit-identical values.</summary>
    public static Tensor Rand(Rng rng, int[] shape, Dtype? dtype = null, Device? device = null) =>
        Owned(() => CreationMembers.Rand(rng, shape, Interop.Opt(dtype), Interop.Opt(device)));

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
