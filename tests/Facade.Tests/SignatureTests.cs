using System.Reflection;
using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>The facade must not show F# types (FSharpFunc, FSharpList, FSharpOption, F# tuples, ...) to C# users.</summary>
public class SignatureTests
{
    private static bool IsFSharpType(Type t)
    {
        if (t.IsByRef || t.IsArray || t.IsPointer) return IsFSharpType(t.GetElementType()!);
        if (t.Namespace is string ns && ns.StartsWith("Microsoft.FSharp")) return true;
        if (t.IsGenericType && t.GetGenericArguments().Any(IsFSharpType)) return true;
        if (t.IsGenericType && t.GetGenericTypeDefinition().FullName is string n && n.StartsWith("System.Tuple`")) return true;
        return false;
    }

    /// <summary>The only types of the F# core a facade signature may mention: they look like ordinary .NET types.</summary>
    private static readonly HashSet<Type> CoreTypesAllowed = [typeof(Tensor), typeof(Dtype), typeof(Device), typeof(Rng)];

    private static IEnumerable<Type> Mentioned(Type t)
    {
        if (t.HasElementType)
        {
            foreach (var u in Mentioned(t.GetElementType()!)) yield return u;
            yield break;
        }

        yield return t;
        if (t.IsGenericType)
            foreach (var u in t.GetGenericArguments().SelectMany(Mentioned)) yield return u;
    }

    private static IEnumerable<(string Where, Type Type)> Signatures()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in typeof(Ad).Assembly.GetExportedTypes())
        {
            foreach (var m in type.GetMethods(all))
            {
                yield return ($"{type.Name}.{m.Name} returns", m.ReturnType);
                foreach (var p in m.GetParameters()) yield return ($"{type.Name}.{m.Name}({p.Name})", p.ParameterType);
            }
            foreach (var p in type.GetProperties(all)) yield return ($"{type.Name}.{p.Name}", p.PropertyType);
            foreach (var c in type.GetConstructors())
                foreach (var p in c.GetParameters()) yield return ($"{type.Name}..ctor({p.Name})", p.ParameterType);
        }
    }

    [Fact]
    public void TheOnlyCoreTypesInTheFacadeAreTensorDtypeDeviceAndRng()
    {
        var core = typeof(Tensor).Assembly;
        var offenders = Signatures()
            .SelectMany(s => Mentioned(s.Type).Select(t => (s.Where, Type: t)))
            .Where(s => s.Type.Assembly == core && !CoreTypesAllowed.Contains(s.Type))
            .Select(s => $"{s.Where}: {s.Type.Name}")
            .Distinct()
            .ToList();
        Assert.True(offenders.Count == 0, "F# core types in the facade: " + string.Join("; ", offenders));
    }

    [Fact]
    public void FacadeTypeNamesDoNotCollideWithTheCoreNamespace()
    {
        // `using Functional; using Functional.CSharp;` must never make a name ambiguous (CS0104).
        var coreNames = typeof(Tensor).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == "Functional")
            .Select(t => t.Name.Split('`')[0])
            .ToHashSet();
        var clashes = typeof(Ad).Assembly.GetExportedTypes()
            .Where(t => !t.IsNested && coreNames.Contains(t.Name.Split('`')[0]))
            .Select(t => t.Name)
            .ToList();
        Assert.True(clashes.Count == 0, "facade types named like core types: " + string.Join(", ", clashes));
    }

    [Fact]
    public void NoPublicMemberOfTheFacadeMentionsAnFSharpType()
    {
        var offenders = new List<string>();
        foreach (var type in typeof(Ad).Assembly.GetExportedTypes())
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var m in type.GetMethods(all))
            {
                if (IsFSharpType(m.ReturnType)) offenders.Add($"{type.Name}.{m.Name} returns {m.ReturnType}");
                foreach (var p in m.GetParameters())
                    if (IsFSharpType(p.ParameterType)) offenders.Add($"{type.Name}.{m.Name}({p.Name}: {p.ParameterType})");
            }
            foreach (var p in type.GetProperties(all))
                if (IsFSharpType(p.PropertyType)) offenders.Add($"{type.Name}.{p.Name}: {p.PropertyType}");
            foreach (var c in type.GetConstructors())
                foreach (var p in c.GetParameters())
                    if (IsFSharpType(p.ParameterType)) offenders.Add($"{type.Name}..ctor({p.Name}: {p.ParameterType})");
        }
        Assert.True(offenders.Count == 0, "F# types in the facade: " + string.Join("; ", offenders));
    }
}
