/// Tunes glibc's malloc for tensor workloads. By default glibc serves blocks above 128 KiB (every
/// tensor of a layer's size) with fresh `mmap`s and returns freed memory to the OS at once, so each new
/// tensor pays page faults for all of its pages: a training step that makes a few MB of new tensors ran
/// 5-10x slower than one that reuses memory. Keeping tensors up to 32 MiB in the heap and freed memory up
/// to 256 MiB in the process removes that cost (resident memory then stays at its peak, as with
/// PyTorch's caching allocators).
module Functional.Native.HeapTuning

open System
open System.Runtime.InteropServices

[<Literal>]
let private M_TRIM_THRESHOLD = -1

[<Literal>]
let private M_MMAP_THRESHOLD = -3

[<DllImport("libc", EntryPoint = "mallopt")>]
extern int private mallopt(int param, int value)

/// Blocks at least this large are still mapped (and unmapped) on their own: glibc's maximum.
let mmapThreshold = 32 * 1024 * 1024

/// Free memory at the top of the heap beyond this is returned to the operating system.
let trimThreshold = 256 * 1024 * 1024

/// True when the user tunes malloc through glibc's environment variables or turned the tuning off
/// with `FUNCTIONAL_MALLOC_TUNING=0`.
let userDecides () : bool =
    let env = Environment.GetEnvironmentVariables()

    env.Keys
    |> Seq.cast<string>
    |> Seq.exists (fun k -> k.StartsWith "MALLOC_" || k = "GLIBC_TUNABLES")
    || Environment.GetEnvironmentVariable "FUNCTIONAL_MALLOC_TUNING" = "0"

/// Sets the thresholds on Linux with glibc (once, before libtorch allocates); returns true if it did.
/// Elsewhere, or when the user decides, it does nothing.
let apply () : bool =
    if not (RuntimeInformation.IsOSPlatform OSPlatform.Linux) || userDecides () then
        false
    else
        try
            mallopt (M_MMAP_THRESHOLD, mmapThreshold) = 1
            && mallopt (M_TRIM_THRESHOLD, trimThreshold) = 1
        with
        | :? EntryPointNotFoundException
        | :? DllNotFoundException -> false
