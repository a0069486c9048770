namespace Functional.Raw

open System
open System.Runtime.CompilerServices
open TorchSharp

/// Tells the GC how much native memory a tensor holds, for as long as the tensor object lives.
[<Sealed>]
type internal NativePressure(bytes: int64) =
    do GC.AddMemoryPressure bytes
    override _.Finalize() = GC.RemoveMemoryPressure bytes

/// Native memory without user effort: intermediates of a differentiation call, a layer, an optimizer
/// step or a training step live in a dispose scope and are freed when it ends; the tensors that leave
/// it (and every tensor made outside a scope) are reclaimed by the GC, which is told their native size.
type internal Memory private () =
    [<ThreadStatic; DefaultValue>]
    static val mutable private depth: int

    [<ThreadStatic; DefaultValue>]
    static val mutable private running: int

    static let pressure = ConditionalWeakTable<torch.Tensor, NativePressure>()

    /// How many scopes are open on this thread (0: user code at top level).
    static member Depth = Memory.depth

    /// Registers a tensor's native size with the GC (once per tensor) so that it is collected in time.
    static member Track(t: torch.Tensor) : unit =
        let bytes = t.NumberOfElements * t.ElementSize

        if bytes >= 1024L then
            pressure.TryAdd(t, NativePressure bytes) |> ignore

    /// Tracks a tensor if it is made outside every scope (it then belongs to user code and the GC).
    static member inline TrackIfTopLevel(t: torch.Tensor) : torch.Tensor =
        if Memory.depth = 0 then Memory.Track t
        t

    /// Runs a raw forward computation. Its temporary tensors and `Scalars` stay alive until it returns (so a
    /// GC on another thread cannot free them while libtorch reads them) and are then freed; the result
    /// survives. Outside every scope the temporaries get a dispose scope of their own.
    static member Run(forward: torch.Tensor[] -> torch.Tensor, raws: torch.Tensor[]) : torch.Tensor =
        Memory.running <- Memory.running + 1

        try
            let result =
                if Memory.depth > 0 then
                    forward raws
                else
                    use scope = torch.NewDisposeScope()
                    scope.MoveToOuter(forward raws)

            GC.KeepAlive raws
            result
        finally
            Memory.running <- Memory.running - 1

            if Memory.running = 0 then
                Scalars.Release()

    /// Runs `body`, freeing every tensor it makes when it returns (for code that returns .NET values).
    static member Discarding(body: unit -> 'T) : 'T =
        use _ = torch.NewDisposeScope()
        body ()

    /// Runs `body` in a scope; only the outermost scope on a thread frees memory. The tensors that
    /// `keep` lists from the result survive the scope and are handed to the GC.
    static member Scoped(body: unit -> 'T, keep: 'T -> torch.Tensor seq) : 'T =
        if Memory.depth > 0 then
            Memory.depth <- Memory.depth + 1

            try
                body ()
            finally
                Memory.depth <- Memory.depth - 1
        else
            let scope = torch.NewDisposeScope()
            Memory.depth <- 1

            try
                let result = body ()

                for t in keep result do
                    if not (isNull t) then
                        scope.MoveToOuter t |> ignore
                        Memory.Track t

                result
            finally
                Memory.depth <- 0
                scope.Dispose()
