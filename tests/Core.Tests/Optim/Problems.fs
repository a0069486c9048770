/// The test problems of the optimizer suites (the same as in Fixtures/gen_optim.py) and the PyTorch fixture.
module Functional.Tests.Optim.Problems

open System
open System.IO
open System.Text.Json
open Expecto
open Functional

/// The parsed Fixtures/optim.json.
let fixture =
    lazy
        (JsonDocument
            .Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim.json")))
            .RootElement)

/// A Float64 tensor from {"shape": [...], "data": [...]}.
let tensorOf (e: JsonElement) : Tensor =
    let shape = [ for d in e.GetProperty("shape").EnumerateArray() -> d.GetInt32() ]
    let data = [| for v in e.GetProperty("data").EnumerateArray() -> v.GetDouble() |]
    Tensor.reshape (Tensor.create (data, Float64), shape)

/// Floats of a JSON array.
let floats (e: JsonElement) =
    [| for v in e.EnumerateArray() -> v.GetDouble() |]

/// (initial params, loss) of a fixture problem ("quadratic" or "mlp").
let problem (name: string) : Params * (Params -> Tensor) =
    let p = fixture.Force().GetProperty("problems").GetProperty(name)

    let init =
        Params.ofList
            [
                for pair in p.GetProperty("params").EnumerateArray() -> pair[0].GetString(), tensorOf pair[1]
            ]

    let c (k: string) =
        tensorOf (p.GetProperty("constants").GetProperty k)

    match name with
    | "quadratic" ->
        let q, r, d, t = c "q", c "r", c "d", c "t"

        init,
        fun p ->
            let a = p.Get "a"
            let b = p.Get "b"
            let quad = 0.5 * Tensor.sum (q * (a.Reshape [ 3; 1 ] * a.Reshape [ 1; 3 ]))

            quad - Tensor.sum (r * a)
            + Tensor.sum (d * (b - t) ** 2)
            + 0.1 * Tensor.sum a * Tensor.sum b
    | "mlp" ->
        let x, y = c "x", c "y"

        init,
        fun p ->
            let h = Tensor.tanh (Tensor.matmul (x, p.Get "layer1.weight") + p.Get "layer1.bias")
            Tensor.mean ((Tensor.matmul (h, p.Get "layer2.weight") + p.Get "layer2.bias" - y) ** 2)
    | _ -> failwith $"unknown problem {name}"

/// Runs `steps` steps of `opt` on `loss` from `init`: the losses before each step and the params after each.
let run (opt: Optimizer) (loss: Params -> Tensor) (init: Params) (steps: int) : float[] * Params[] =
    let mutable p = init
    let mutable s = opt.Init init

    Array.init steps (fun _ ->
        let l, p', s' = Optimizer.minimizeStep opt loss s p
        p <- p'
        s <- s'
        l.ToDouble(), p)
    |> Array.unzip

/// Asserts |got - expected| <= tol · max(|expected|, 1e-3) elementwise (relative, with a floor near zero).
let expectRelative (tol: float) (got: float[]) (expected: float[]) (what: string) =
    Expect.equal got.Length expected.Length $"{what}: length"

    for i in 0 .. expected.Length - 1 do
        if not (abs (got[i] - expected[i]) <= tol * max (abs expected[i]) 1e-3) then
            failtest $"{what}: element {i}: got {got[i]:G15}, expected {expected[i]:G15}"

/// The elements of a tree in one array.
let flat (p: Params) = (Params.flatten p).ToArray<float>()

/// Parameters with a nested group and several shapes (for tests of whole optimizer steps).
let treeParameters () =
    Params.group
        [
            "dense",
            Params.ofList
                [
                    "weight", Tensor.randn (Rng.seed 1, [ 4; 3 ])
                    "bias", Tensor.randn (Rng.seed 2, [ 4 ])
                ]
            "scale", Leaf(Tensor.randn (Rng.seed 3, [ 2; 2; 2 ]))
        ]

/// Gradients for `like` at a step (seeded by the step and each path).
let treeGradients (step: int) (like: Params) =
    like
    |> Params.mapi (fun path t -> Tensor.randn (Rng.fold step (Rng.seed (hash path)), t.Shape))
