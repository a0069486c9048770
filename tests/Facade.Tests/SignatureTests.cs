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
