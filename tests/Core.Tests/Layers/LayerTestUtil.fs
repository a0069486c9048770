/// Shared helpers of the layer tests: PyTorch fixture cases from layers.json with their parameters as
/// `Params`, and gradient checks of a model in its inputs and all its parameters.
module Functional.Tests.Layers.LayerTestUtil

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.TorchFixture

/// The cases of layers.json.
let private layerCases = lazy (TorchFixture.load "layers")

/// A string-array parameter of a case.
let strings (c: FixtureCase) (name: string) =
    [| for e in c.Params.GetProperty(name).EnumerateArray() -> e.GetString() |]

/// An optional boolean parameter of a case.
let flag (c: FixtureCase) (name: string) (fallback: bool) =
    if c.Has name then c.Bool name else fallback

/// The number of leading input arguments of a module case.
let inputCount (c: FixtureCase) = c.Int "inputs"

/// The parameters of a module case as a tree (PyTorch's names as paths).
let paramsOf (c: FixtureCase) (args: Tensor[]) : Params =
    let k = inputCount c
    let names = strings c "names"
    Params.ofList (Array.init names.Length (fun i -> names[i], args[k + i]))

/// The state (buffers) of a module case as a tree.
let stateOf (c: FixtureCase) (args: Tensor[]) : State =
    let k = inputCount c + (strings c "names").Length
    let names = strings c "state"

    if names.Length = 0 then
        Params.empty
    else
        Params.ofList (Array.init names.Length (fun i -> names[i], args[k + i]))

/// A module case run through a model's Apply in `mode`.
let viaModel (model: Model) (mode: Mode) (c: FixtureCase) : Tensor[] -> Tensor =
    fun args -> fst (model.Apply (paramsOf c args) (stateOf c args) mode args[0])

/// One test per case of layers.json whose op is in `ops`.
let fixtures (ops: string list) (resolve: FixtureCase -> (Tensor[] -> Tensor)) : Test =
    testList
        "PyTorch fixtures"
        [
            for i, c in List.indexed layerCases.Value do
                if List.contains c.Op ops then
                    test $"{i:D2} {c.Op}" { TorchFixture.checkCase c (resolve c) }
        ]

/// Params and state of a model for a per-example shape, converted to Float64.
let float64Model (model: Model) (inputShape: int list) : Params * State =
    let b = Model.build (Rng.seed 11) inputShape model

    let f64 =
        Params.map (fun t -> if t.Dtype.IsFloatingPoint then t.ToDtype Float64 else t)

    f64 b.Params, f64 b.State

/// GradCheck (orders 1 and 2, both modes, Float64) of a model in its input and every parameter tensor.
let gradCheckWith (mode: Mode) (model: Model) (inputShape: int list) (x: Tensor) : unit =
    let p, s = float64Model model inputShape
    let tensors = Params.tensors p |> Array.ofList

    let f (args: Tensor[]) =
        fst (model.Apply (Params.withTensors p args[1..]) s mode args[0])

    GradCheck.checkArgs f (Array.append [| x |] tensors)

/// GradCheck in evaluation mode on a random Float64 batch of `batch` examples.
let gradCheck (model: Model) (inputShape: int list) (batch: int) : unit =
    gradCheckWith Mode.Eval model inputShape (Tensor.randn (Rng.seed 5, batch :: inputShape, Float64))
