module Functional.Tests.Ops.ElementwiseTests

open System
open Expecto
open FsCheck.FSharp
open Functional
open Functional.Tests
open Functional.Tests.Ops.OpGen

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    match c.Op with
    | "abs" -> fun a -> Tensor.abs a[0]
    | "sign" -> fun a -> a[0].Sign()
    | "log1p" -> fun a -> Tensor.log1p a[0]
    | "expm1" -> fun a -> a[0].Expm1()
    | "tan" -> fun a -> Tensor.tan a[0]
    | "asin" -> fun a -> Tensor.asin a[0]
    | "acos" -> fun a -> a[0].Acos()
    | "atan" -> fun a -> Tensor.atan a[0]
    | "sinh" -> fun a -> Tensor.sinh a[0]
    | "cosh" -> fun a -> a[0].Cosh()
    | "atan2" -> fun a -> Tensor.atan2 (a[0], a[1])
    | "erf" -> fun a -> Tensor.erf a[0]
    | "leakyRelu" -> fun a -> Tensor.leakyRelu (a[0], c.Float "slope")
    | "elu" -> fun a -> a[0].Elu(c.Float "alpha")
    | "gelu" -> fun a -> Tensor.gelu a[0]
    | "softplus" -> fun a -> Tensor.softplus (a[0], c.Float "beta", c.Float "threshold")
    | "floor" -> fun a -> Tensor.floor a[0]
    | "ceil" -> fun a -> a[0].Ceil()
    | "round" -> fun a -> Tensor.round a[0]
    | "clamp" -> fun a -> Tensor.clamp (a[0], c.Float "min", c.Float "max")
    | "clampMin" -> fun a -> Tensor.clamp (a[0], min = c.Float "min")
    | "clampMax" -> fun a -> a[0].Clamp(max = c.Float "max")
    | "maximum" -> fun a -> Tensor.maximum (a[0], a[1])
    | "minimum" -> fun a -> a[0].Minimum a[1]
    | "where" -> fun a -> Tensor.where (a[0], a[1], a[2])
    | "whereCurved" -> fun a -> Tensor.where (a[0], a[1] * a[1], Tensor.sin a[2])
    | op -> failwith $"no F# function for fixture op {op}"

/// Values in (-0.8, 0.8): inside the domain of asin/acos and away from its edges.
let private inUnit (x: Tensor) = 0.8 * Tensor.tanh x

/// Unary ops with a map from normal values to points where the op is smooth.
let private unaryOps: (string * (Tensor -> Tensor) * (Tensor -> Tensor)) list =
    [
        "exp", Tensor.exp, id
        "log", Tensor.log, (fun x -> Tensor.abs x + 0.5)
        "sqrt", Tensor.sqrt, (fun x -> Tensor.abs x + 0.5)
        "sin", Tensor.sin, id
        "cos", Tensor.cos, id
        "tanh", Tensor.tanh, id
        "sigmoid", Tensor.sigmoid, id
        "relu", Tensor.relu, avoid [ 0.0 ] 0.1
        "sign", Tensor.sign, avoid [ 0.0 ] 0.1
        "abs", Tensor.abs, avoid [ 0.0 ] 0.1
        "log1p", Tensor.log1p, (fun x -> Tensor.abs x - 0.5)
        "expm1", Tensor.expm1, id
        "tan", Tensor.tan, inUnit
        "asin", Tensor.asin, inUnit
        "acos", Tensor.acos, inUnit
        "atan", Tensor.atan, id
        "sinh", Tensor.sinh, id
        "cosh", Tensor.cosh, id
        "erf", Tensor.erf, id
        "leakyRelu (default slope)", (fun x -> Tensor.leakyRelu x), avoid [ 0.0 ] 0.1
        "leakyRelu slope 0.3", (fun x -> x.LeakyRelu 0.3), avoid [ 0.0 ] 0.1
        "elu", (fun x -> Tensor.elu x), avoid [ 0.0 ] 0.1
        "elu alpha 0.7", (fun x -> x.Elu 0.7), avoid [ 0.0 ] 0.1
        "gelu", Tensor.gelu, id
        "softplus", (fun x -> Tensor.softplus x), (fun x -> 4.0 * x)
        "softplus beta 2 threshold 1", (fun x -> x.Softplus(2.0, 1.0)), avoid [ 0.5 ] 0.1
        "floor", Tensor.floor, (fun x -> avoid [ -4.0 .. 4.0 ] 0.1 (2.0 * x))
        "ceil", Tensor.ceil, (fun x -> avoid [ -4.0 .. 4.0 ] 0.1 (2.0 * x))
        "round", Tensor.round, (fun x -> avoid [ -4.5 .. 4.5 ] 0.1 (2.0 * x))
        "clamp", (fun x -> Tensor.clamp (x, -0.5, 0.5)), avoid [ -0.5; 0.5 ] 0.1
        "clamp min only", (fun x -> x.Clamp(min = 0.2)), avoid [ 0.2 ] 0.1
        "clamp max only", (fun x -> x.Clamp(max = -0.2)), avoid [ -0.2 ] 0.1
    ]

/// Binary broadcasting ops with a map applied to the first argument's values.
let private binaryOps: (string * (Tensor[] -> Tensor) * (Tensor -> Tensor)) list =
    [
        "atan2", (fun a -> Tensor.atan2 (a[0], a[1])), avoid [ 0.0 ] 0.1
        "maximum", (fun a -> Tensor.maximum (a[0], a[1])), id
        "minimum", (fun a -> a[0].Minimum a[1]), id
    ]

let private unaryGen = Gen.zip shape seed
let private binaryGen = Gen.zip broadcastPair seed

/// Shapes of a condition and two branches that broadcast together: the condition takes either branch's shape.
let private whereGen =
    Gen.zip3 broadcastPair (Gen.elements [ false; true ]) seed
    |> Gen.map (fun ((sa, sb), condLikeA, sd) -> (if condLikeA then sa else sb), sa, sb, sd)

/// where(c, a², sin b): squares and sines around the (linear) select so second derivatives flow through it.
let private whereCurved (a: Tensor[]) =
    Tensor.where (a[0], a[1] * a[1], Tensor.sin a[2])

let private fails (fragments: string list) (f: unit -> Tensor) = TestUtil.throwsArgument fragments f

let private ints = Tensor.create ([| 1L; 2L; 3L |], Int64)

let private m =
    Tensor.create ([| [| 1.0; -2.0; 3.0 |]; [| 0.5; 2.0; -1.0 |] |], Float64)

[<Tests>]
let tests =
    testList
        "Ops.Elementwise"
        [
            TorchFixture.tests "elementwise" resolve

            testList
                "GradCheck to second order"
                [
                    for name, f, safe in unaryOps ->
                        property name 10 unaryGen (fun (s, sd) -> GradCheck.check f (safe (normal sd s)))
                    for name, f, safe in binaryOps ->
                        property name 10 binaryGen (fun ((sa, sb), sd) ->
                            GradCheck.checkArgs f [| safe (normal sd sa); normal (sd + 1) sb |])
                    yield
                        property "where (Bool condition, broadcasting)" 10 whereGen (fun (sc, sa, sb, sd) ->
                            let cond = Tensor.gt (normal (sd + 2) sc, 0.0)
                            let args = [| cond; normal sd sa; normal (sd + 1) sb |]
                            GradCheck.checkArgs whereCurved args
                            GradCheck.checkArgs (fun a -> Tensor.where (a[0], a[1], a[2])) args)
                ]

            testList
                "values"
                [
                    test "round halves to even; floor and ceil keep the dtype" {
                        let x = Tensor.create ([| 0.5; 1.5; 2.5; -0.5; -1.7 |], Float64)

                        Expect.sequenceEqual
                            ((Tensor.round x).ToArray<float>())
                            [| 0.0; 2.0; 2.0; 0.0; -2.0 |]
                            "round"

                        Expect.sequenceEqual
                            ((Tensor.floor x).ToArray<float>())
                            [| 0.0; 1.0; 2.0; -1.0; -2.0 |]
                            "floor"

                        Expect.sequenceEqual
                            ((Tensor.ceil x).ToArray<float>())
                            [| 1.0; 2.0; 3.0; 0.0; -1.0 |]
                            "ceil"

                        Expect.equal (Tensor.floor ints).Dtype Int64 "floor of Int64 stays Int64"

                        Expect.sequenceEqual
                            ((Tensor.floor ints).ToArray<int64>())
                            [| 1L; 2L; 3L |]
                            "floor of ints"
                    }

                    test "rounding and sign have zero derivative" {
                        let g = Diff.grad (fun x -> Tensor.sum (Tensor.floor x + Tensor.sign x * x)) m

                        Expect.sequenceEqual
                            (g.ToArray<float>())
                            ((Tensor.sign m).ToArray<float>())
                            "only x's own factor"
                    }

                    test "abs, leakyRelu and elu use PyTorch's derivative at 0" {
                        let at0 f =
                            (Diff.grad (fun x -> Tensor.sum (f x)) (Tensor.zeros ([ 1 ], Float64))).ToDouble()

                        Expect.equal (at0 Tensor.abs) 0.0 "abs"
                        Expect.equal (at0 (fun x -> Tensor.leakyRelu (x, 0.2))) 0.2 "leakyRelu"
                        Expect.equal (at0 (fun x -> Tensor.elu (x, 2.0))) 2.0 "elu"
                    }

                    test "clamp passes the derivative on its bounds, like PyTorch" {
                        let x = Tensor.create ([| 0.0; 1.0; 1.5; 2.0; 3.0 |], Float64)
                        let g = Diff.grad (fun x -> Tensor.sum (Tensor.clamp (x, 1.0, 2.0))) x
                        Expect.sequenceEqual (g.ToArray<float>()) [| 0.0; 1.0; 1.0; 1.0; 0.0 |] "mask"
                    }

                    test "maximum and minimum split ties evenly in both modes" {
                        let a = Tensor.create ([| 1.0; 2.0; 3.0 |], Float64)
                        let b = Tensor.create ([| 1.0; 3.0; 2.0 |], Float64)
                        let ga = Diff.grad (fun a -> Tensor.sum (Tensor.maximum (a, b))) a
                        Expect.sequenceEqual (ga.ToArray<float>()) [| 0.5; 0.0; 1.0 |] "maximum, reverse"

                        let _, t =
                            Diff.jvp (fun b -> Tensor.minimum (a, b)) b (Tensor.ones ([ 3 ], Float64))

                        Expect.sequenceEqual (t.ToArray<float>()) [| 0.5; 0.0; 1.0 |] "minimum, forward"
                    }

                    test "softplus is x beyond the threshold and stable for large inputs" {
                        let x = Tensor.create ([| -800.0; 0.0; 30.0; 800.0 |], Float64)
                        let y = (Tensor.softplus x).ToArray<float>()
                        Expect.floatClose Accuracy.veryHigh y[1] (log 2.0) "softplus 0"
                        Expect.equal y[2] 30.0 "linear"
                        Expect.equal y[3] 800.0 "no overflow"
                        let g = (Diff.grad (fun x -> Tensor.sum (Tensor.softplus x)) x).ToArray<float>()
                        Expect.sequenceEqual g [| 0.0; 0.5; 1.0; 1.0 |] "derivative"
                    }

                    test "elu's derivative is finite for large positive inputs at second order" {
                        let x = Tensor.create ([| 1000.0; -3.0 |], Float64)
                        let h = Diff.hessian (fun x -> Tensor.sum (Tensor.elu x)) x
                        Expect.isTrue (h.ToArray<float>() |> Array.forall Double.IsFinite) "finite Hessian"
                    }
                ]

            testList
                "bad input"
                [
                    test "float-only ops reject integer tensors" {
                        fails [ "tan"; "Int64"; "ToDtype" ] (fun () -> Tensor.tan ints)
                        fails [ "gelu"; "Int64" ] (fun () -> Tensor.gelu ints)
                        fails [ "atan2"; "Int64" ] (fun () -> Tensor.atan2 (ints, ints))
                    }

                    test "numeric ops reject Bool tensors" {
                        fails [ "abs"; "Bool" ] (fun () -> Tensor.abs (Tensor.gt (m, 0.0)))
                    }

                    test "clamp checks its bounds" {
                        fails [ "clamp"; "minimum 2"; "maximum 1" ] (fun () -> Tensor.clamp (m, 2.0, 1.0))
                        fails [ "clamp"; "neither" ] (fun () -> Tensor.clamp m)
                        fails [ "clamp"; "NaN" ] (fun () -> Tensor.clamp (m, min = nan))
                    }

                    test "activations check their parameters" {
                        fails [ "softplus"; "beta"; "-1" ] (fun () -> Tensor.softplus (m, -1.0))
                        fails [ "leakyRelu"; "slope" ] (fun () -> Tensor.leakyRelu (m, infinity))
                    }

                    test "binary ops name the shapes that do not broadcast" {
                        fails [ "maximum"; "[2; 3]"; "[2]" ] (fun () ->
                            Tensor.maximum (m, Tensor.zeros ([ 2 ], Float64)))

                        fails [ "atan2"; "[2; 3]"; "[4]" ] (fun () ->
                            Tensor.atan2 (m, Tensor.zeros ([ 4 ], Float64)))
                    }
                ]
        ]
