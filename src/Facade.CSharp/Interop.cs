using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Functional.CSharp;

/// <summary>Conversions between C# values and the F# core's option and function types (internal).</summary>
internal static class Interop
{
    /// <summary>An F# option from a nullable reference.</summary>
    public static FSharpOption<T> Opt<T>(T? value) where T : class =>
        value is null ? FSharpOption<T>.None : FSharpOption<T>.Some(value);

    /// <summary>An F# option from a nullable value.</summary>
    public static FSharpOption<T> Opt<T>(T? value) where T : struct =>
        value.HasValue ? FSharpOption<T>.Some(value.Value) : FSharpOption<T>.None;

    /// <summary>An F# function from a delegate.</summary>
    public static FSharpFunc<TIn, TOut> Fun<TIn, TOut>(Func<TIn, TOut> f) => FuncConvert.FromFunc(f);

    /// <summary>A curried F# function of two arguments from a delegate.</summary>
    public static FSharpFunc<T1, FSharpFunc<T2, TOut>> Fun<T1, T2, TOut>(Func<T1, T2, TOut> f) =>
        FuncConvert.FromFunc(f);

    /// <summary>A curried F# function of three arguments from a delegate.</summary>
    public static FSharpFunc<T1, FSharpFunc<T2, FSharpFunc<T3, TOut>>> Fun<T1, T2, T3, TOut>(Func<T1, T2, T3, TOut> f) =>
        FuncConvert.FromFunc(f);

    /// <summary>An F# list of the items, in order.</summary>
    public static FSharpList<T> List<T>(IEnumerable<T> items) => ListModule.OfSeq(items);

    /// <summary>An F# function of no arguments (unit -&gt; T) from a delegate.</summary>
    public static FSharpFunc<Unit, T> Thunk<T>(Func<T> f) => FuncConvert.FromFunc<Unit, T>(_ => f());
}
