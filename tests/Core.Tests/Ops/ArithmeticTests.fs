module Functional.Tests.Ops.ArithmeticTests

open Expecto
open Functional
open Functional.Tests

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

            test "broadcasting mismatch names the op and shapes" {
                TestUtil.throwsArgument [ "add"; "[2; 3]"; "[4]" ] (fun () ->
                    Tensor.zeros [ 2; 3 ] + Tensor.zeros [ 4 ])
            }
        ]
