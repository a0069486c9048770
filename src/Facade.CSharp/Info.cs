namespace Functional.CSharp;

/// <summary>Facts about the Functional library, for C# callers.</summary>
public static class Info
{
    /// <summary>The library version, e.g. "0.1.0".</summary>
    public static string Version => Functional.Library.version;

    /// <summary>Loads the native backend (libtorch); throws a clear exception if it cannot be loaded.</summary>
    public static void EnsureNative() => Functional.Library.ensureNative();
}
