module Functional.Tests.Optim.OptimizerTests

open Expecto
open Functional
open Functional.Tests.Optim.Problems

/// Validation loss of the fixture MLP on other data, after k optimizer steps from its initial params.
let private afterSteps (k: int) (opt: Optimizer) =
    let init, train = problem "mlp"

    let xv =
        Tensor.create ([ [ 0.5; -1.0; 0.2 ]; [ -0.3; 0.8; 1.1 ]; [ 1.2; 0.1; -0.7 ] ], Float64)

    let yv = Tensor.create ([ [ 0.1; -0.2 ]; [ 0.4; 0.3 ]; [ -0.5; 0.2 ] ], Float64)

    let validation (p: Params) =
        let h =
            Tensor.tanh (Tensor.matmul (xv, p.Get "layer1.weight") + p.Get "layer1.bias")

        Tensor.mean ((Tensor.matmul (h, p.Get "layer2.weight") + p.Get "layer2.bias" - yv) ** 2)

    let mutable p = init
    let mutable s = opt.Init init

    for _ in 1..k do
        let p', s' = Optimizer.step opt (DiffParams.grad train p) s p
        p <- p'
        s <- s'

    validation p

let private hypergradient (name: string) (makeOptimizer: Tensor -> Optimizer) (lr: float) =
    test name {
        let loss (lr: Tensor) = afterSteps 5 (makeOptimizer lr)
        let lr0 = Tensor.scalar (lr, Float64)
        let byReverse = (Diff.grad loss lr0).ToDouble()
        let byForward = (Diff.diff loss lr0).ToDouble()
        let h = 1e-5 * lr

        let central =
            ((loss (lr0 + h)).ToDouble() - (loss (lr0 - h)).ToDouble()) / (2.0 * h)

        Expect.isGreaterThan (abs central) 1e-4 "the validation loss depends on the learning rate"
        expectRelative 1e-6 [| byReverse |] [| central |] "reverse mode vs finite differences"
        expectRelative 1e-10 [| byForward |] [| byReverse |] "forward mode vs reverse mode"
    }

/// The example of docs/custom-optimizer.md: AdaBelief's scaling in ten lines.
let private scaleByBelief (b1: float) (b2: float) (eps: float) : Optimizer =
    {
        Init = fun p -> Params.group [ "mu", Params.zerosLike p; "s", Params.zerosLike p ]
        Update =
            fun g state _ ->
                let mu = b1 * state["mu"] + (1.0 - b1) * g
                let s = b2 * state["s"] + (1.0 - b2) * (g - mu) * (g - mu) + eps
                Params.map2 (fun m v -> m / (Tensor.sqrt v + eps)) mu s, Params.group [ "mu", mu; "s", s ]
    }

let private adaBelief (lr: float) =
    Transform.chain [ scaleByBelief 0.9 0.999 1e-16; Transform.scaleByLearningRate lr ]

/// A copy of a tree through plain arrays (what saving and loading does).
let private roundTrip (p: Params) =
    Params.ofList
        [
            for path, t in Params.toList p ->
                path, Tensor.reshape (Tensor.create (t.ToArray<float>(), t.Dtype), t.Shape)
        ]

let private stateValues (s: Params) =
    Params.tensors s
    |> List.collect (fun t -> List.ofArray (t.ToArray<float>()))
    |> Array.ofList

[<Tests>]
let tests =
    testList
        "Optimizer"
        [
            testList
                "hypergradient of the validation loss after 5 steps w.r.t. the learning rate"
                [
                    hypergradient "sgd with momentum" (fun lr -> Optim.sgd (lr, momentum = 0.9)) 0.1
                    hypergradient "adam" (fun lr -> Optim.adam lr) 0.01
                    hypergradient
                        "rmsprop with a tensor schedule"
                        (fun lr ->
                            Optim.rmsprop (
                                Rate.tensorSchedule (fun n -> lr * (0.9 ** float n)),
                                centered = true
                            ))
                        0.01
                ]

            test "gradient w.r.t. the initial params through 3 Adam steps matches finite differences" {
                let init, loss = problem "mlp"
                let opt = Optim.adam 0.05

                let afterTraining (p0: Params) =
                    let mutable p = p0
                    let mutable s = opt.Init p0

                    for _ in 1..3 do
                        let p', s' = Optimizer.step opt (DiffParams.grad loss p) s p
                        p <- p'
                        s <- s'

                    loss p

                let g = DiffParams.grad afterTraining init

                let v =
                    Params.unflatten
                        init
                        (Tensor.create ([ for i in 1 .. Params.count init -> cos (float i) ], Float64))

                let h = 1e-6

                let central =
                    ((afterTraining (init + h * v)).ToDouble()
                     - (afterTraining (init - h * v)).ToDouble())
                    / (2.0 * h)

                expectRelative 1e-6 [| (Params.dot g v).ToDouble() |] [| central |] "directional derivative"
            }

            test
                "applyUpdates adds the updates and step equals update + applyUpdates (up to rounding: Adam's step is fused)" {
                let init, loss = problem "quadratic"
                let opt = Optim.adam 0.1
                let s = opt.Init init
                let g = DiffParams.grad loss init
                let u, s1 = Optimizer.update opt g s init
                let p1, s1' = Optimizer.step opt g s init
                expectRelative 1e-13 (flat (Optimizer.applyUpdates init u)) (flat p1) "same params"
                expectRelative 1e-13 (Array.map2 (+) (flat init) (flat u)) (flat p1) "params + updates"
                Expect.equal (Params.paths s1) (Params.paths s1') "same state"

                Expect.isFalse
                    (Params.tensors p1 |> List.exists (fun t -> t.IsDifferentiable))
                    "plain results"
            }

            test "state is plain data: it round-trips through arrays and training continues identically" {
                let init, loss = problem "mlp"

                let opt =
                    Transform.chain [ Transform.clipByGlobalNorm 1.0; Optim.adamW (0.01, amsgrad = true) ]

                let mutable p = init
                let mutable s = opt.Init init

                for _ in 1..3 do
                    let _, p', s' = Optimizer.minimizeStep opt loss s p
                    p <- p'
                    s <- s'

                let saved = roundTrip s
                Expect.equal (Params.paths saved) (Params.paths s) "same tensors"
                Expect.stringContains (s.ToString()) "1.0.count  " "the state prints like params"
                let _, a, sa = Optimizer.minimizeStep opt loss s p
                let _, b, sb = Optimizer.minimizeStep opt loss saved (roundTrip p)
                expectRelative 0.0 (flat b) (flat a) "same params after a step from the copy"
                expectRelative 0.0 (stateValues sb) (stateValues sa) "same state after a step from the copy"
            }

            test "state saved to a safetensors file loads back and the next step is identical" {
                let init, loss = problem "mlp"

                let opt =
                    Transform.chain
                        [
                            Transform.clipByGlobalNorm 1.0
                            Transform.accumulate (2, Optim.adamW (0.01, amsgrad = true))
                            Transform.reduceOnPlateau (factor = 0.5, patience = 0)
                        ]

                let mutable p = init
                let mutable s = opt.Init init

                for i in 1..5 do
                    let _, p', s' = Optimizer.minimizeStep opt loss s p
                    p <- p'
                    s <- Plateau.report (1.0 / float i) s'

                let file =
                    System.IO.Path.Combine(
                        System.IO.Path.GetTempPath(),
                        $"opt-{System.Guid.NewGuid()}.safetensors"
                    )

                try
                    Checkpoint.saveParams file s Map.empty
                    let loaded = Checkpoint.loadParams file (opt.Init init)
                    Expect.equal (Params.paths loaded) (Params.paths s) "same tensors"

                    Expect.equal
                        (Params.tensors loaded |> List.map (fun t -> t.Dtype))
                        (Params.tensors s |> List.map (fun t -> t.Dtype))
                        "same dtypes (Int64 counts, Float64 plateau scalars)"

                    expectRelative 0.0 (stateValues loaded) (stateValues s) "same values"
                    let _, a, sa = Optimizer.minimizeStep opt loss s p
                    let _, b, sb = Optimizer.minimizeStep opt loss loaded p
                    expectRelative 0.0 (flat b) (flat a) "same params after a step from the loaded state"

                    expectRelative
                        0.0
                        (stateValues sb)
                        (stateValues sa)
                        "same state after a step from the loaded state"
                finally
                    System.IO.File.Delete file
            }

            test "a learning-rate tensor must be a scalar" {
                let init, loss = problem "quadratic"
                let opt = Optim.sgd (Tensor.create ([ 0.1; 0.2 ], Float64))

                let e =
                    Expect.throwsC
                        (fun () -> Optimizer.minimizeStep opt loss (opt.Init init) init |> ignore)
                        id

                Expect.stringContains e.Message "one element" "says what is wrong"
            }

            test "custom optimizer in ten lines (docs/custom-optimizer.md)" {
                let init, loss = problem "mlp"
                let g = DiffParams.grad loss init
                let u, _ = (adaBelief 0.01).Update g ((adaBelief 0.01).Init init) init
                // first step: m = 0.1 g, s = 0.001 (0.9 g)² (+ 1e-16), update = -lr m / √s
                let expected =
                    flat g
                    |> Array.map (fun gi ->
                        -0.01 * 0.1 * gi / (sqrt (0.001 * 0.81 * gi * gi + 1e-16) + 1e-16))

                expectRelative 1e-9 (flat u) expected "first update"
                let losses, _ = Problems.run (adaBelief 0.01) loss init 50
                Expect.isLessThan losses[49] (0.6 * losses[0]) "it trains"
            }

            test "custom optimizer from building blocks" {
                // Adam whose step is clipped elementwise, with decoupled weight decay off the biases.
                let clippedAdam (lr: float) =
                    Transform.chain
                        [
                            Transform.scaleByAdam (beta1 = 0.9, beta2 = 0.99)
                            Transform.clipByValue 1.0
                            Transform.maskedBy (
                                (fun path _ -> not (path.EndsWith "bias")),
                                Transform.addDecayedWeights 1e-4
                            )
                            Transform.scaleByLearningRate (Schedule.warmupCosineDecay (0.0, lr, 5, 50))
                        ]

                let init, loss = problem "mlp"
                let losses, _ = Problems.run (clippedAdam 0.05) loss init 50
                Expect.isLessThan losses[49] (0.5 * losses[0]) "it trains"
            }
        ]
