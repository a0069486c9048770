/// PyTorch reference values: loads the JSON fixtures written by Fixtures/gen_*.py (see torch_fixture.py)
/// and turns each case into an Expecto test of the output, the gradients and the Hessian-vector products.
module Functional.Tests.TorchFixture

open System
open System.IO
open System.Text.Json
open Expecto
open Functional

/// One PyTorch-computed case: an op applied to arguments, with its first and second derivatives.
type FixtureCase =
    {
        /// Name of the op (the generator's first argument to `case`).
        Op: string
        /// The arguments, Float64 for the differentiable ones.
        Args: Tensor[]
        /// f(args).
        Output: Tensor
        /// The cotangent u.
        Cotangent: Tensor
        /// Indices of the differentiated arguments.
        Differentiable: int[]
        /// Jᵢᵀ u per differentiated argument.
        Grads: Tensor[]
        /// Directions vᵢ per differentiated argument.
        Directions: Tensor[]
        /// Hᵢᵢ vᵢ of L = <u, f> per differentiated argument (empty when not generated).
        Hvps: Tensor[]
        /// The case's parameters.
        Params: JsonElement
    }

    /// A float parameter.
    member c.Float(name: string) = c.Params.GetProperty(name).GetDouble()
    /// An integer parameter.
    member c.Int(name: string) = c.Params.GetProperty(name).GetInt32()
    /// A boolean parameter.
    member c.Bool(name: string) = c.Params.GetProperty(name).GetBoolean()

    /// An integer-array parameter.
    member c.Ints(name: string) =
        [| for e in c.Params.GetProperty(name).EnumerateArray() -> e.GetInt32() |]

    /// True when the case has the parameter.
    member c.Has(name: string) =
        let mutable e = Unchecked.defaultof<JsonElement>
        c.Params.TryGetProperty(name, &e)

let private tensorOf (e: JsonElement) : Tensor =
    let shape = [| for d in e.GetProperty("shape").EnumerateArray() -> d.GetInt32() |]
    let data = [| for d in e.GetProperty("data").EnumerateArray() -> d.GetDouble() |]

    let dtype =
        match e.GetProperty("dtype").GetString() with
        | "float64" -> Float64
        | "float32" -> Float32
        | "int64" -> Int64
        | "int32" -> Int32
        | "bool" -> Bool
        | other -> failwith $"unknown fixture dtype {other}"

    let flat = Tensor.create (data, Float64)
    Tensor.toDtype(flat, dtype).Reshape(shape)

let private tensors (e: JsonElement) =
    if e.ValueKind = JsonValueKind.Null then
        [||]
    else
        [| for t in e.EnumerateArray() -> tensorOf t |]

/// The folder holding the fixtures (copied next to the test assembly).
let folder = Path.Combine(AppContext.BaseDirectory, "Fixtures")

/// Loads `<family>.json`.
let load (family: string) : FixtureCase list =
    let path = Path.Combine(folder, family + ".json")
    use doc = JsonDocument.Parse(File.ReadAllText path)

    [
        for c in doc.RootElement.GetProperty("cases").EnumerateArray() ->
            {
                Op = c.GetProperty("op").GetString()
                Args = tensors (c.GetProperty "args")
                Output = tensorOf (c.GetProperty "output")
                Cotangent = tensorOf (c.GetProperty "cotangent")
                Differentiable =
                    [| for i in c.GetProperty("differentiable").EnumerateArray() -> i.GetInt32() |]
                Grads = tensors (c.GetProperty "grads")
                Directions = tensors (c.GetProperty "directions")
                Hvps = tensors (c.GetProperty "hvps")
                Params = c.GetProperty("params").Clone()
            }
    ]

let private close (what: string) (expected: Tensor) (got: Tensor) =
    Expect.sequenceEqual got.Shape expected.Shape $"{what}: shape"

    let e = expected.ToArray<float>()
    let g = got.ToArray<float>()

    for i in 0 .. e.Length - 1 do
        if not (abs (e[i] - g[i]) <= 1e-6 + 1e-6 * abs e[i]) then
            failtest $"{what}: element {i}: PyTorch {e[i]:G12}, ours {g[i]:G12}"

/// Checks one case against `f`: output, Jᵢᵀu of each differentiated argument, and Hᵢᵢvᵢ.
let checkCase (c: FixtureCase) (f: Tensor[] -> Tensor) =
    close "output" c.Output (f c.Args)

    c.Differentiable
    |> Array.iteri (fun k i ->
        let fi (x: Tensor) =
            f (Array.mapi (fun j a -> if j = i then x else a) c.Args)

        let loss (x: Tensor) = Tensor.sum (fi x * c.Cotangent)
        close $"gradient of argument {i}" c.Grads[k] (Diff.grad loss c.Args[i])

        if c.Hvps.Length > 0 then
            close
                $"Hessian-vector product in argument {i}"
                c.Hvps[k]
                (Diff.hvp loss c.Args[i] c.Directions[k]))

/// One test per case of `<family>.json`; `resolve` maps a case to the function under test.
let tests (family: string) (resolve: FixtureCase -> (Tensor[] -> Tensor)) : Test =
    testList
        $"PyTorch fixtures {family}"
        [
            for i, c in List.indexed (load family) -> test $"{i:D2} {c.Op}" { checkCase c (resolve c) }
        ]
