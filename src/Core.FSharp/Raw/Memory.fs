namespace Functional.Raw

open System
open System.Runtime.InteropServices
open TorchSharp

/// When to collect the tensors that the GC owns (those that escape scopes into user code): after `Budget`
/// bytes of them, when more than half of `Budget` is still held, a generation-0 collection (they mostly die young),
/// every fourth time generation 1, every eighth time a full one, which bounds what longer-lived garbage
/// can hold. Tensors that their owner has already disposed (a dispose scope of the caller's, `Dispose`)
/// no longer count. (GC.AddMemoryPressure forces a full collection every few MB: ~8% of a training
/// step's time, with the same flat resident memory.)
type internal NativeBudget private () =
    static let gate = obj ()
    // weak GC handles rather than WeakReference objects: no finalizable object per tracked tensor
    static let tracked = ResizeArray<struct (GCHandle * int64)>()
    static let mutable sinceCollection = 0L
    static let mutable collections = 0

    /// The bytes of the tracked tensors that are neither disposed nor collected; forgets the others.
    static let liveBytes () =
        let mutable live = 0L
        let mutable kept = 0

        for i in 0 .. tracked.Count - 1 do
            let struct (handle, bytes) = tracked[i]

            match handle.Target with
            | :? torch.Tensor as t when not t.IsInvalid ->
                live <- live + bytes
                tracked[kept] <- tracked[i]
                kept <- kept + 1
            | _ -> handle.Free()

        tracked.RemoveRange(kept, tracked.Count - kept)
        live

    /// Bytes of GC-owned tensors that may hold native memory between two collections.
    static member Budget = 64L * 1024L * 1024L

    /// Counts a new GC-owned tensor of `bytes` and collects when more than the budget may be held.
    static member Add(t: torch.Tensor, bytes: int64) : unit =
        let collect =
            lock gate (fun () ->
                tracked.Add(struct (GCHandle.Alloc(t, GCHandleType.Weak), bytes))
                sinceCollection <- sinceCollection + bytes

                if sinceCollection <= NativeBudget.Budget then
                    None
                else
                    // collect when more than half the budget is still held once the freed tensors are
                    // forgotten (so the next check is at least half a budget of new tensors away)
                    let live = liveBytes ()

                    if live > NativeBudget.Budget / 2L then
                        sinceCollection <- 0L

                        for struct (handle, _) in tracked do
                            handle.Free()

                        tracked.Clear()
                        collections <- collections + 1
                        Some collections
                    else
                        sinceCollection <- live
                        None)

        match collect with
        | Some n ->
            GC.Collect(
                if n % 8 = 0 then 2
                elif n % 4 = 0 then 1
                else 0
            )
        | None -> ()

/// Native memory without user effort: intermediates of a differentiation call, a layer, an optimizer
/// step or a training step live in a dispose scope and are freed when it ends; the tensors that leave
/// it (and every tensor made outside a scope) are reclaimed by the GC, which `NativeBudget` runs in time.
type internal Memory private () =
    [<ThreadStatic; DefaultValue>]
    static val mutable private depth: int

    [<ThreadStatic; DefaultValue>]
    static val mutable private running: int

    /// How many scopes are open on this thread (0: user code at top level).
    static member Depth = Memory.depth

    /// Counts a tensor that the GC now owns in `NativeBudget`, so that it is collected in time.
    static member Track(t: torch.Tensor) : unit =
        let bytes = t.NumberOfElements * t.ElementSize

        if bytes >= 1024L then
            NativeBudget.Add(t, bytes)

    /// Tracks a tensor if it is made outside every scope and outside the user's TorchSharp dispose scopes
    /// (it then belongs to user code and the GC; a dispose scope would hold it until it is disposed).
    static member inline TrackIfTopLevel(t: torch.Tensor) : torch.Tensor =
        if Memory.depth = 0 && isNull torch.CurrentDisposeScope then
            Memory.Track t

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
    /// `keep` lists from the result survive the scope: they move to the user's enclosing TorchSharp dispose
    /// scope if there is one (which then frees them), else they are handed to the GC.
    static member Scoped(body: unit -> 'T, keep: 'T -> torch.Tensor seq) : 'T =
        if Memory.depth > 0 then
            Memory.depth <- Memory.depth + 1

            try
                body ()
            finally
                Memory.depth <- Memory.depth - 1
        else
            let owned = not (isNull torch.CurrentDisposeScope)
            let scope = torch.NewDisposeScope()
            Memory.depth <- 1

            try
                let result = body ()

                for t in keep result do
                    if not (isNull t) then
                        scope.MoveToOuter t |> ignore

                        if not owned then
                            Memory.Track t

                result
            finally
                Memory.depth <- 0
                scope.Dispose()

    /// Runs `body` so that nested scopes free nothing and every tensor it makes outlives it (handed to
    /// the GC): for computations that return closures over their intermediates, such as `Diff.vjp`.
    static member Retained(body: unit -> 'T) : 'T =
        if Memory.depth > 0 then
            body ()
        else
            let scope = torch.NewDisposeScope()
            Memory.depth <- 1

            try
                body ()
            finally
                Memory.depth <- 0

                let made = Array.ofSeq scope.DisposablesView

                for d in made do
                    match box d with
                    | :? torch.Tensor as t -> Memory.Track t
                    | _ -> ()

                scope.Detach(made) |> ignore
                scope.Dispose()
