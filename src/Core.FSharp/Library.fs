namespace Functional

/// Facts about this build of Functional.
module Library =
    /// The library's version (from the assembly).
    let version: string =
        let v = typeof<Native.NativeSetup.NativeLoadException>.Assembly.GetName().Version
        $"{v.Major}.{v.Minor}.{v.Build}"

    /// Makes sure the native backend (libtorch through TorchSharp) is loaded; raises a clear exception otherwise.
    let ensureNative () : unit = Native.NativeSetup.ensure ()
