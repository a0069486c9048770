/// Makes TorchSharp's native library loadable on this machine before the first native call.
/// TorchSharp 0.107's `libLibTorchSharp.so` asks for `GLIBCXX_3.4.32` (for one symbol it can live
/// without); on systems whose libstdc++ lacks that version (Debian 12) the requirement is marked weak.
module Functional.Native.NativeSetup

open System
open System.IO
open System.Runtime.InteropServices

/// Versions that TorchSharp's native library requires but does not need to run.
let dispensableVersions = set [ "GLIBCXX_3.4.32" ]

let private nativeName = "libLibTorchSharp.so"

let private systemLibStdCxxCandidates =
    [
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"
        "/lib/x86_64-linux-gnu/libstdc++.so.6"
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6"
        "/usr/lib64/libstdc++.so.6"
        "/lib64/libstdc++.so.6"
        "/usr/lib/libstdc++.so.6"
    ]

/// The versions among `dispensableVersions` that the system's libstdc++ does not provide (empty if it is new enough).
let missingVersions () : Set<string> =
    match systemLibStdCxxCandidates |> List.tryFind File.Exists with
    | None -> Set.empty
    | Some path ->
        let image = File.ReadAllBytes path

        dispensableVersions
        |> Set.filter (fun v -> not (ElfVersionPatch.mentionsVersion v image))

/// Weakens the given versions in one library file, atomically (temp file + rename); returns true if it changed it.
let patchFile (versions: Set<string>) (path: string) : bool =
    if Set.isEmpty versions || not (File.Exists path) then
        false
    else
        match ElfVersionPatch.weaken versions (File.ReadAllBytes path) with
        | None -> false
        | Some patched ->
            let temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"

            try
                File.WriteAllBytes(temp, patched)

                if not (OperatingSystem.IsWindows()) then
                    File.SetUnixFileMode(temp, File.GetUnixFileMode path)

                File.Move(temp, path, true)
                true
            finally
                if File.Exists temp then
                    File.Delete temp

let private packageRoots () =
    [
        Environment.GetEnvironmentVariable "NUGET_PACKAGES"
        Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".nuget", "packages")
    ]
    |> List.filter (fun p -> not (String.IsNullOrEmpty p))

/// Every place TorchSharp may load its native library from: next to TorchSharp.dll or the app,
/// under `runtimes/linux-x64/native`, and in the NuGet package folder (including the `lib/net8.0/cpu`
/// copy that TorchSharp makes under `dotnet fsi`).
let candidateFiles () : string list =
    let torchDir = Path.GetDirectoryName(typeof<TorchSharp.torch>.Assembly.Location)

    let localDirs =
        [ torchDir; AppContext.BaseDirectory ]
        |> List.filter (String.IsNullOrEmpty >> not)

    let local =
        [
            for d in localDirs do
                yield Path.Combine(d, nativeName)
                yield Path.Combine(d, "runtimes", "linux-x64", "native", nativeName)
        ]

    let packaged =
        [
            for root in packageRoots () do
                let dir = Path.Combine(root, "torchsharp")

                if Directory.Exists dir then
                    for version in Directory.GetDirectories dir do
                        yield Path.Combine(version, "runtimes", "linux-x64", "native", nativeName)
                        yield Path.Combine(version, "lib", "net8.0", "cpu", nativeName)
        ]

    local @ packaged |> List.distinct |> List.filter File.Exists

/// Raised when libtorch cannot be loaded; the message says why and what to do.
exception NativeLoadException of message: string * inner: exn with
    override this.Message = this.message

let private describe (e: exn) =
    let rec chain (e: exn) =
        if isNull e then [] else e.Message :: chain e.InnerException

    String.Join(" -> ", chain e)

/// Loads libLibTorchSharp.so by full path from a folder that also holds libtorch (found through its
/// `$ORIGIN` run path), so that TorchSharp's later load by name finds it under `dotnet fsi` too.
let private preload () =
    let torchDir = Path.GetDirectoryName(typeof<TorchSharp.torch>.Assembly.Location)

    [ torchDir; AppContext.BaseDirectory ]
    |> List.filter (String.IsNullOrEmpty >> not)
    |> List.collect (fun d -> [ d; Path.Combine(d, "runtimes", "linux-x64", "native") ])
    |> List.tryFind (fun d ->
        File.Exists(Path.Combine(d, nativeName))
        && File.Exists(Path.Combine(d, "libtorch_cpu.so")))
    |> Option.iter (fun d -> NativeLibrary.TryLoad(Path.Combine(d, nativeName)) |> ignore)

let private initialise =
    lazy
        (if RuntimeInformation.IsOSPlatform OSPlatform.Linux then
             let missing = missingVersions ()

             for file in candidateFiles () do
                 try
                     patchFile missing file |> ignore
                 with e ->
                     eprintfn $"Functional: could not patch {file}: {e.Message}"

         HeapTuning.apply () |> ignore
         OpenMpTuning.apply () |> ignore
         preload ()

         try
             TorchSharp.torch.InitializeDeviceType TorchSharp.DeviceType.CPU
         with e ->
             let msg =
                 "Functional: could not load libtorch through TorchSharp "
                 + $"({describe e}). Check that the packages TorchSharp 0.107.0 and libtorch-cpu-linux-x64 2.10.0 "
                 + "are restored (run `dotnet tool restore && dotnet paket restore`) and that the system has "
                 + "libstdc++ 6 and glibc 2.34 or newer."

             raise (NativeLoadException(msg, e))

         OneDnnGuard.apply () |> ignore)

/// Patches (if needed) and loads the native backend once per process; safe to call from any thread.
let ensure () : unit = initialise.Force()

/// Loads the native backend and returns what a program should tell its user about it: a line when the
/// oneDNN guard switched libtorch's oneDNN convolutions off, else None.
let notice () : string option =
    ensure ()
    OneDnnGuard.notice ()
