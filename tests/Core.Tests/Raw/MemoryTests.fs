module Functional.Tests.Raw.MemoryTests

open System
open System.Threading
open Expecto
open Functional

/// Native tensors TorchSharp has made and not yet freed.
let private liveTensors () = TorchSharp.torch.Tensor.TotalCount

/// Collects garbage fully, so that only reachable tensors stay alive.
let private settle () =
    GC.Collect()
    GC.WaitForPendingFinalizers()
    GC.Collect()

/// Runs `body` while another thread starts a garbage collection every millisecond (often enough to hit
/// native calls in flight, rarely enough that the body still runs on a loaded 2-core machine).
let private underCollections (body: unit -> unit) =
    let mutable stop = false

    let collector =
        Thread(fun () ->
            while not (Volatile.Read &stop) do
                GC.Collect 0
                Thread.Sleep 1)

    collector.IsBackground <- true
    collector.Start()

    try
        body ()
    finally
        Volatile.Write(&stop, true)
        collector.Join()

[<Tests>]
let tests =
    testSequenced
    <| testList
        "Raw.Memory"
        [
            // TorchSharp passes scalars (including the hidden alpha = 1 of add) to libtorch without keeping
            // them alive; a collection on another thread used to free them mid-call ("Expected false to be true").
            test "ops give correct results while another thread collects garbage" {
                let a = Tensor.ones [ 64; 32 ]
                let b = Tensor.full ([ 1; 32 ], 2.0)
                let mutable checkedValues = 0
                let collectionsBefore = GC.CollectionCount 0

                underCollections (fun () ->
                    for _ in 1..40 do
                        for _ in 1..200 do
                            let c = (a + b) * 2.0 + 1.0 - b
                            let s = Tensor.sum c

                            if checkedValues % 50 = 0 then
                                Expect.equal
                                    (s.ToDouble())
                                    (5.0 * 64.0 * 32.0)
                                    "sum of ((1 + 2) * 2 + 1 - 2)"

                            checkedValues <- checkedValues + 1

                        let g = Diff.grad (fun x -> Tensor.sum ((x + b) * 3.0 + 1.0)) a

                        Expect.equal
                            ((Tensor.sum g).ToDouble())
                            (3.0 * 64.0 * 32.0)
                            "gradient of sum(3 (x + b) + 1)")

                Expect.equal checkedValues 8000 "every expression was computed"
                Expect.isGreaterThan (GC.CollectionCount 0 - collectionsBefore) 0 "collections ran meanwhile"
            }

            test "reading values at top level leaves no native tensors behind" {
                let x = Tensor.create [| 1.0; 2.0; 3.0 |]
                let s = Tensor.scalar 2.5
                settle ()
                let before = liveTensors ()

                for _ in 1..100 do
                    Expect.equal (s.ToDouble()) 2.5 "value"
                    Expect.equal (x.ToArray<float>()) [| 1.0; 2.0; 3.0 |] "values"
                    Expect.stringContains (string x) "shape=[3]" "text"

                Expect.equal
                    (liveTensors () - before)
                    0L
                    "temporaries of ToDouble, ToArray and ToString are freed at once"
            }

            test "tensors that escape into user code are reclaimed in time without Dispose" {
                settle ()
                let before = liveTensors ()
                let mutable peak = 0L

                for _ in 1..1500 do
                    Tensor.zeros [ 256; 256 ] + 1.0 |> ignore // 256 KB each, dropped at once
                    peak <- max peak (liveTensors () - before)

                // each step makes two 256 KB tensors: without collections in time all 3,000 would pile up
                Expect.isLessThan peak 500L "few of the dropped tensors are alive at once"
            }

            test "creating a tensor from float64 data leaves only the tensor" {
                settle ()
                let before = liveTensors ()
                let xs = [ for i in 1..50 -> Tensor.create [| float i; 2.0 |] ]
                Expect.equal (liveTensors () - before) 50L "one native tensor per created tensor"
                Expect.equal (xs[49].ToArray<float32>()) [| 50.0f; 2.0f |] "values"
            }

            test "tensors their owner already freed do not force collections; unreferenced ones do" {
                // 80 × 4 MB at top level: more than four times the 64 MB budget either way
                let collections (body: unit -> unit) =
                    settle ()
                    let before = GC.CollectionCount 0

                    for _ in 1..80 do
                        body ()

                    GC.CollectionCount 0 - before

                let disposed =
                    collections (fun () ->
                        use _ = TorchSharp.torch.NewDisposeScope()
                        Tensor.zeros [ 1024; 1024 ] |> ignore)

                let garbage = collections (fun () -> Tensor.zeros [ 1024; 1024 ] |> ignore)
                Expect.isLessThanOrEqual disposed 1 "no forced collection for tensors a dispose scope freed"
                Expect.isGreaterThanOrEqual garbage 3 "collections that reclaim unreferenced tensors"
            }

            test "tensors held by the user's open dispose scope do not force collections" {
                // 20 × three 4 MB tensors (zeros, the sum, a gradient) stay in the scope until it ends: no
                // collection can free them, so none is forced (before the scope owned them, three were)
                settle ()
                let before = GC.CollectionCount 0

                do
                    use _ = TorchSharp.torch.NewDisposeScope()

                    for _ in 1..20 do
                        let x = Tensor.zeros [ 1024; 1024 ] + 1.0
                        Diff.grad (fun v -> Tensor.sum (v * v)) x |> ignore

                Expect.isLessThanOrEqual (GC.CollectionCount 0 - before) 1 "no forced collection"
            }
        ]
