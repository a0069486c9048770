module Functional.Tests.Ops.ArithmeticTests

open Expecto
open FsCheck.FSharp
open Functional
open Functional.Tests
open Functional.Tests.Ops.OpGen

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    match c.Op with
    | "add" -> fun a -> a[0] + a[1]
    | "sub" -> fun a -> a[0] - a[1]
    | "mul" -> fun a -> a[0] * a[1]
    | "div" -> fun a -> a[0] / a[1]
    | "pow" -> fun a -> a[0] ** a[1]
    | "powScalar" -> fun a -> a[0] ** c.Float "exponent"
    | "exp" -> fun a -> Tensor.exp a[0]
    | "log" -> fun a -> Tensor.log a[0]
    | "tanh" -> fun a -> Tensor.tanh a[0]
    | "sigmoid" -> fun a -> Tensor.sigmoid a[0]
    | "sin" -> fun a -> Tensor.sin a[0]
    | "cos" -> fun a -> Tensor.cos a[0]
    | "sqrt" -> fun a -> Tensor.sqrt a[0]
    | "relu" -> fun a -> Tensor.relu a[0]
    | "sum" -> fun a -> Tensor.sum a[0]
    | "sumDim" -> fun a -> Tensor.sum (a[0], c.Int "dim", c.Bool "keepDim")
    | "mean" -> fun a -> Tensor.mean a[0]
    | "matmul" -> fun a -> Tensor.matmul (a[0], a[1])
    | "transpose" -> fun a -> Tensor.transpose (a[0], c.Int "dim0", c.Int "dim1")
    | "reshape" -> fun a -> Tensor.reshape (a[0], c.Ints "shape")
    | "neg" -> fun a -> -a[0]
    | "negCube" -> fun a -> -(a[0] * a[0] * a[0])
    | op -> failwith $"no F# function for fixture op {op}"

let private rng = Rng.seed 7

let private gradcheckOps: (string * (Tensor[] -> Tensor) * int list list) list =
    [
        "add (broadcast)", (fun a -> a[0] + a[1]), [ [ 2; 3 ]; [ 3 ] ]
        "sub (broadcast both)", (fun a -> a[0] - a[1]), [ [ 2; 1 ]; [ 1; 4 ] ]
        "mul", (fun a -> a[0] * a[1]), [ [ 3; 1 ]; [ 3; 2 ] ]
        "div", (fun a -> a[0] / (a[1] * a[1] + 1.0)), [ [ 2; 2 ]; [ 2 ] ]
        "scalar ops", (fun a -> 2.0 * a[0] - 1.0 + 3.0 / (a[0] * a[0] + 1.0)), [ [ 4 ] ]
        "powScalar", (fun a -> (a[0] * a[0] + 0.5) ** 1.5), [ [ 3 ] ]
        "pow", (fun a -> (a[0] * a[0] + 0.5) ** a[1]), [ [ 2; 2 ]; [ 2 ] ]
        "neg", (fun a -> -a[0] * a[0]), [ [ 1; 3 ] ]
    ]

/// Binary broadcasting ops with maps that move each argument's values to where the op is smooth.
let private binaryOps: (string * (Tensor[] -> Tensor) * (Tensor -> Tensor) * (Tensor -> Tensor)) list =
    [
        "add", (fun a -> a[0] + a[1]), id, id
        "sub", (fun a -> a[0] - a[1]), id, id
        "mul", (fun a -> a[0] * a[1]), id, id
        "div", (fun a -> a[0] / a[1]), id, avoid [ 0.0 ] 0.5
        "pow (tensor exponent, positive base)", (fun a -> a[0] ** a[1]), (fun x -> Tensor.abs x + 0.5), id
    ]

let private positive (x: Tensor) = Tensor.abs x + 0.5

/// Unary arithmetic: negation, constant powers and a number on either side of an operator.
let private unaryOps: (string * (Tensor -> Tensor) * (Tensor -> Tensor)) list =
    [
        "neg", (fun x -> -x), id
        "powScalar 1.5 (positive base)", (fun x -> x ** 1.5), positive
        "powScalar -0.5 (positive base)", (fun x -> x ** -0.5), positive
        "powScalar 2.0", (fun x -> x ** 2.0), id
        "powScalar 3.0", (fun x -> x ** 3.0), id
        "powScalar int 3", (fun x -> x ** 3), id
        "x + 2.5", (fun x -> x + 2.5), id
        "2.5 + x", (fun x -> 2.5 + x), id
        "x - 2.5", (fun x -> x - 2.5), id
        "2.5 - x", (fun x -> 2.5 - x), id
        "x * 2.5", (fun x -> x * 2.5), id
        "2.5 * x", (fun x -> 2.5 * x), id
        "x / 2.5", (fun x -> x / 2.5), id
        "2.5 / x", (fun x -> 2.5 / x), avoid [ 0.0 ] 0.5
        "Tensor.Pow(2.5, x)", (fun x -> Tensor.Pow(2.5, x)), id
        "x + 2 (int)", (fun x -> x + 2), id
        "3 - x (int)", (fun x -> 3 - x), id
        "2 * x (int)", (fun x -> 2 * x), id
        "x / 4 (int)", (fun x -> x / 4), id
        "3 / x (int)", (fun x -> 3 / x), avoid [ 0.0 ] 0.5
    ]

[<Tests>]
let tests =
    testList
        "Ops.Arithmetic"
        [
            TorchFixture.tests "arithmetic" resolve

            testList
                "GradCheck to second order"
                [
                    for i, (name, f, shapes) in List.indexed gradcheckOps ->
                        test name {
                            let args =
                                shapes
                                |> List.mapi (fun k s -> Tensor.randn (Rng.fold (10 * i + k) rng, s, Float64))
                                |> Array.ofList

                            GradCheck.checkArgs f args
                        }
                ]

            testList
                "GradCheck to second order on generated shapes"
                [
                    for name, f, safeA, safeB in binaryOps ->
                        property name 10 (Gen.zip broadcastPair seed) (fun ((sa, sb), sd) ->
                            GradCheck.checkArgs f [| safeA (normal sd sa); safeB (normal (sd + 1) sb) |])
                    for name, f, safe in unaryOps ->
                        property name 10 (Gen.zip shape seed) (fun (s, sd) ->
                            GradCheck.check f (safe (normal sd s)))
                ]

            test "broadcasting mismatch names the op and shapes" {
                TestUtil.throwsArgument [ "add"; "[2; 3]"; "[4]" ] (fun () ->
                    Tensor.zeros [ 2; 3 ] + Tensor.zeros [ 4 ])
            }
        ]
