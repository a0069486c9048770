/// Makes libtorch's OpenMP threads sleep when they wait. By default GNU OpenMP spins for about a
/// millisecond after each parallel region; when other processes keep the cores busy (a notebook next to
/// a build, CI runners) the spinning threads steal the time the working thread needs, and small-tensor
/// training ran 10-30x slower (the 8x8-digits CNN: 11 s instead of 0.6 s per epoch). `OMP_WAIT_POLICY`
/// is read once, when libtorch loads its OpenMP runtime, so it is set in the native environment before that.
module Functional.Native.OpenMpTuning

open System
open System.Runtime.InteropServices

[<DllImport("libc", EntryPoint = "getenv")>]
extern nativeint private getenv(string name)

[<DllImport("libc", EntryPoint = "setenv")>]
extern int private setenv(string name, string value, int overwrite)

/// The variable and the value set when the user has not chosen one.
let waitPolicy = "OMP_WAIT_POLICY", "PASSIVE"

/// The value of a variable in the process's native environment (which .NET's copy does not update).
let nativeVariable (name: string) : string option =
    if RuntimeInformation.IsOSPlatform OSPlatform.Linux then
        let p = getenv name

        if p = 0n then None else Some(Marshal.PtrToStringUTF8 p)
    else
        None

/// Sets `OMP_WAIT_POLICY=PASSIVE` on Linux unless the user set it (to ACTIVE, say, on a dedicated
/// machine); returns the policy in effect, if any. Call it before libtorch is loaded.
let apply () : string option =
    let name, value = waitPolicy

    if not (RuntimeInformation.IsOSPlatform OSPlatform.Linux) then
        None
    else
        match nativeVariable name with
        | Some chosen -> Some chosen
        | None ->
            try
                setenv (name, value, 0) |> ignore
                nativeVariable name
            with
            | :? EntryPointNotFoundException
            | :? DllNotFoundException -> None
