/// Concurrency: differentiating on several threads at once gives bit-identical results to running the same
/// calls serially, with the immutable values (tensors, parameter trees, models, optimizers, training
/// states) shared between the threads. See docs/ARCHITECTURE.md, "Threads: what is safe to share".
module Functional.Tests.Reliability.ConcurrencyTests

open System.Threading
open System.Threading.Tasks
open Expecto
open Functional

let private vec (xs: float list) =
    Tensor.create (Array.ofList xs, Float64)

let private flat (ts: Tensor list) =
    ts |> List.map (fun t -> t.ToArray<float>()) |> Array.concat

// Shared by every thread: a model, its parameters, a batch, an optimizer and a training state.
let private model = Layers.dense 16 => Layers.tanh => Layers.dense 3
let private p = Model.init (Rng.seed 7) [ 5 ] model
let private x = Tensor.randn (Rng.seed 8, [ 12; 5 ])
let private y = Tensor.randn (Rng.seed 9, [ 12; 3 ])
let private loss (p: Params) = Losses.mse (Model.apply model p x, y)

let private config =
    {
        Model = model
        Loss = fun pred t -> Losses.mse (pred, t)
        Optimizer = Optim.adam (Rate.constant 1e-2)
        Metrics = []
    }

let private state = TrainStep.init config (Rng.seed 10) [ 5 ]
let private point = vec [ 0.3; -1.2; 2.0 ]
let private cube (x: Tensor) = Tensor.sum (Tensor.tanh x * x * x)
let private field (x: Tensor) = Tensor.sin x * Tensor.sum (x * x)

/// The pullback of `field` at `point`, made once and called from every thread.
let private pullback = snd (Diff.vjp field point)

/// Differentiation jobs: each returns the numbers it computed (job k varies its input with k).
let private jobs: (int -> float[]) list =
    [
        // gradient of a model's loss w.r.t. a shared parameter tree
        fun k -> DiffParams.grad (fun p -> loss p * float (k + 1)) p |> Params.tensors |> flat
        // nested derivatives: d/dx [x * (d/dy (x + y))(y = 1)] = 1 (tags keep the perturbations apart)
        fun k ->
            let inner (x: Tensor) =
                x * Diff.diff (fun y -> x + y) (Tensor.scalar (1.0, Float64))

            [| (Diff.diff inner (Tensor.scalar (float k, Float64))).ToDouble() |]
        // Hessian (forward over reverse) and Hessian-vector product
        fun k -> flat [ Diff.hessian cube (point * float k) ]
        fun k -> flat [ Diff.hvp cube point (vec [ 1.0; float k; -1.0 ]) ]
        // Jacobians in both modes
        fun k -> flat [ Diff.jacrev field (point + float k); Diff.jacfwd field (point - float k) ]
        // a pullback shared between threads, called with different cotangents
        fun k -> flat [ pullback (vec [ float k; 1.0; 0.5 ]) ]
        // a training step from a shared state
        fun k ->
            let r = TrainStep.run config false state (x * float k, y)
            Array.append [| r.Loss |] (Params.tensors r.State.Params |> flat)
    ]

/// Every (job, input) pair, computed on the calling thread.
let private calls =
    [
        for j in 0 .. jobs.Length - 1 do
            for k in 0..3 -> j, k
    ]

let private runCall (j, k) = jobs[j] k

[<Tests>]
let tests =
    testList
        "Reliability.Concurrency"
        [
            test "nested derivatives of the shared jobs are right when run serially" {
                Expect.equal (runCall (1, 2)) [| 1.0 |] "perturbation confusion: d/dx [x * d/dy (x + y)] = 1"
                let g = Diff.grad cube point
                let h = Diff.hvp cube point (vec [ 1.0; 0.0; 0.0 ])

                Expect.floatClose
                    Accuracy.high
                    (h.ToArray<float>()[0])
                    ((Diff.hessian cube point).ToArray<float>()[0])
                    "hvp = H e1"

                Expect.equal g.Shape [| 3 |] "gradient shape"
            }

            test "four threads running every Diff job at once match the serial results bit for bit" {
                let serial = calls |> List.map runCall |> Array.ofList
                let threads = 4
                let rounds = 3
                use start = new Barrier(threads)

                let work (t: int) =
                    Task.Factory.StartNew(
                        (fun () ->
                            start.SignalAndWait()

                            [|
                                for _ in 1..rounds do
                                    // each thread walks the calls in its own rotation, so different jobs overlap
                                    for i in 0 .. calls.Length - 1 do
                                        let c = (i + t * 5) % calls.Length
                                        c, runCall calls[c]
                            |]),
                        TaskCreationOptions.LongRunning
                    )

                let results = Task.WhenAll(Array.init threads work).Result
                let mutable compared = 0

                for perThread in results do
                    for c, got in perThread do
                        Expect.equal got serial[c] $"job {fst calls[c]} at input {snd calls[c]}"
                        compared <- compared + 1

                Expect.equal compared (threads * rounds * calls.Length) "every concurrent call was compared"

                printfn
                    $"concurrency: {compared} concurrent Diff calls on {threads} threads equal the serial results"
            }
        ]
