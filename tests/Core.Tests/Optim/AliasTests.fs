module Functional.Tests.Optim.AliasTests

open System.Text.Json
open Expecto
open Functional
open Functional.Tests.Optim.Problems

/// The alias for a fixture configuration (keys as the F# argument names).
let private optimizerOf (cfg: JsonElement) : Optimizer =
    let num (k: string) (d: float) =
        match cfg.TryGetProperty k with
        | true, v -> v.GetDouble()
        | _ -> d

    let flag (k: string) =
        match cfg.TryGetProperty k with
        | true, v -> v.GetBoolean()
        | _ -> false

    let lr = num "lr" nan
    let wd = num "weightDecay" 0.0

    match cfg.GetProperty("name").GetString() with
    | "sgd" ->
        Optim.sgd (
            lr,
            momentum = num "momentum" 0.0,
            dampening = num "dampening" 0.0,
            nesterov = flag "nesterov",
            weightDecay = wd
        )
    | "adagrad" ->
        Optim.adagrad (
            lr,
            lrDecay = num "lrDecay" 0.0,
            weightDecay = wd,
            initialAccumulator = num "initialAccumulator" 0.0
        )
    | "rmsprop" ->
        Optim.rmsprop (
            lr,
            alpha = num "alpha" 0.99,
            weightDecay = wd,
            momentum = num "momentum" 0.0,
            centered = flag "centered"
        )
    | "adam" -> Optim.adam (lr, beta1 = num "beta1" 0.9, beta2 = num "beta2" 0.999, weightDecay = wd)
    | "amsgrad" -> Optim.amsgrad (lr, beta1 = num "beta1" 0.9, beta2 = num "beta2" 0.999, weightDecay = wd)
    | "adamW" ->
        Optim.adamW (
            lr,
            beta1 = num "beta1" 0.9,
            beta2 = num "beta2" 0.999,
            weightDecay = wd,
            amsgrad = flag "amsgrad"
        )
    | name -> failwith $"unknown optimizer {name}"

let private torchCase (run: JsonElement) =
    let problemName = run.GetProperty("problem").GetString()
    let cfg = run.GetProperty "config"

    test $"{problemName}: {cfg.GetRawText()}" {
        let init, loss = problem problemName
        let losses, trajectory = Problems.run (optimizerOf cfg) loss init 50
        expectRelative 1e-9 losses (floats (run.GetProperty "losses")) "loss before each step"

        for snapshot in run.GetProperty("snapshots").EnumerateObject() do
            let step = int snapshot.Name

            expectRelative
                1e-9
                (flat trajectory[step - 1])
                (floats snapshot.Value)
                $"params after step {step}"
    }

/// Reference Lion (optax.lion) written out element by element.
let private lionReference
    (lr: float)
    (b1: float)
    (b2: float)
    (wd: float)
    (loss: Params -> Tensor)
    (init: Params)
    (steps: int)
    =
    let mutable theta = flat init
    let m = Array.zeroCreate theta.Length

    [|
        for _ in 1..steps do
            let g =
                flat (DiffParams.grad loss (Params.unflatten init (Tensor.create (theta, Float64))))

            theta <-
                Array.init theta.Length (fun i ->
                    let c = b1 * m[i] + (1.0 - b1) * g[i]
                    theta[i] - lr * (float (sign c) + wd * theta[i]))

            for i in 0 .. m.Length - 1 do
                m[i] <- b2 * m[i] + (1.0 - b2) * g[i]

            theta
    |]

/// Reference LAMB (optax.lamb) with a trust ratio per tensor.
let private lambReference
    (lr: float)
    (b1: float)
    (b2: float)
    (eps: float)
    (wd: float)
    (loss: Params -> Tensor)
    (init: Params)
    (steps: int)
    =
    let sizes = Params.tensors init |> List.map (fun t -> t.NumElements)
    let starts = List.scan (+) 0 sizes
    let mutable theta = flat init
    let m = Array.zeroCreate theta.Length
    let v = Array.zeroCreate theta.Length

    [|
        for t in 1..steps do
            let g =
                flat (DiffParams.grad loss (Params.unflatten init (Tensor.create (theta, Float64))))

            let next = Array.copy theta

            for i in 0 .. theta.Length - 1 do
                m[i] <- b1 * m[i] + (1.0 - b1) * g[i]
                v[i] <- b2 * v[i] + (1.0 - b2) * g[i] * g[i]

            for k in 0 .. sizes.Length - 1 do
                let idx = [ starts[k] .. starts[k] + sizes[k] - 1 ]

                let r =
                    idx
                    |> List.map (fun i ->
                        let mh = m[i] / (1.0 - pown b1 t)
                        let vh = v[i] / (1.0 - pown b2 t)
                        mh / (sqrt vh + eps) + wd * theta[i])

                let norm xs = sqrt (List.sumBy (fun x -> x * x) xs)
                let pn = norm (idx |> List.map (fun i -> theta[i]))
                let rn = norm r
                let ratio = if pn > 0.0 && rn > 0.0 then pn / rn else 1.0
                List.iter2 (fun i ri -> next[i] <- theta[i] - lr * ratio * ri) idx r

            theta <- next
            theta
    |]

let private referenceCase (name: string) (opt: Optimizer) reference =
    testList
        name
        [
            for problemName in [ "quadratic"; "mlp" ] ->
                test problemName {
                    let init, loss = problem problemName
                    let _, trajectory = Problems.run opt loss init 50
                    let expected: float[][] = reference loss init 50

                    for step in [ 1; 2; 5; 10; 25; 50 ] do
                        expectRelative
                            1e-9
                            (flat trajectory[step - 1])
                            expected[step - 1]
                            $"params after step {step}"
                }
        ]

[<Tests>]
let tests =
    testList
        "Optim aliases"
        [
            testList
                "match torch.optim (PyTorch 1.13) over 50 steps"
                [ for r in fixture.Force().GetProperty("runs").EnumerateArray() -> torchCase r ]
            referenceCase
                "Lion matches its formula"
                (Optim.lion (0.01, weightDecay = 0.01))
                (lionReference 0.01 0.9 0.99 0.01)
            referenceCase
                "LAMB matches its formula"
                (Optim.lamb (0.02, weightDecay = 0.01))
                (lambReference 0.02 0.9 0.999 1e-6 0.01)

            test "Adam converges on the Rosenbrock function" {
                let rosenbrock (p: Params) =
                    let x = p.Get "x"
                    let y = p.Get "y"
                    (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2

                let init =
                    Params.ofList [ "x", Tensor.scalar (-1.2, Float64); "y", Tensor.scalar (1.0, Float64) ]

                let losses, trajectory = Problems.run (Optim.adam 0.02) rosenbrock init 3000
                let final = flat trajectory[trajectory.Length - 1]
                Expect.isLessThan losses[losses.Length - 1] 1e-6 "loss near 0"
                Expect.floatClose { absolute = 1e-3; relative = 0.0 } final[0] 1.0 "x -> 1"
                Expect.floatClose { absolute = 2e-3; relative = 0.0 } final[1] 1.0 "y -> 1"
            }

            test "sgd rejects nesterov without momentum" {
                Expect.throwsT<System.ArgumentException>
                    (fun () -> Optim.sgd (0.1, nesterov = true) |> ignore)
                    "nesterov needs momentum"
            }
        ]
