namespace Functional.Raw

open System
open System.Collections.Generic
open TorchSharp
open Functional.Native

/// libtorch scalars that stay alive while native code reads them. TorchSharp hands a `Scalar`'s handle
/// to libtorch without keeping the .NET object alive, so a garbage collection started by another thread
/// during the call can finalize (free) it mid-call, and libtorch then fails ("Expected false to be true")
/// or reads freed memory. Scalars made here are kept until the op that uses them returns (`Memory.Run`).
type internal Scalars private () =
    [<ThreadStatic; DefaultValue>]
    static val mutable private inUse: List<Scalar>

    static let one =
        lazy
            (NativeSetup.ensure ()
             Scalar.op_Implicit 1)

    /// The integer scalar 1, alive for the whole process: pass it as `alpha` to `add`/`sub`, whose
    /// TorchSharp overloads without `alpha` make a temporary one that may be freed mid-call.
    static member One: Scalar = one.Value

    /// A scalar that stays alive until the running op returns (then it is disposed).
    static member Of(value: float) : Scalar =
        let s = Scalar.op_Implicit value

        if isNull Scalars.inUse then
            Scalars.inUse <- List<Scalar>()

        Scalars.inUse.Add s
        s

    /// Disposes the scalars made on this thread since the last release.
    static member Release() : unit =
        let used = Scalars.inUse

        if not (isNull used) && used.Count > 0 then
            for s in used do
                s.Dispose()

            used.Clear()
