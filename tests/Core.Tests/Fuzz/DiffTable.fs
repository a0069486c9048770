/// Fuzzed differentiation API: every `Diff` function applied to functions from a small zoo (scalar and
/// non-scalar outputs, integer and Bool outputs, constants, NaN losses, nested derivatives) at random
/// points of every dtype, with tangents and cotangents of the right and of wrong shapes and dtypes.
module Functional.Tests.Fuzz.DiffTable

open FsCheck
open FsCheck.FSharp
open Functional
open Functional.Tests.Fuzz.FuzzGen
open Functional.Tests.Fuzz.FuzzCase

/// A function to differentiate: its name, the op names its errors may use, and its output shape for an
/// input shape (None when the call may fail).
type Fn =
    {
        Name: string
        Names: string list
        F: Tensor -> Tensor
        Out: int[] -> int[] option
    }

let private fn name names f out =
    {
        Name = name
        Names = names
        F = f
        Out = out
    }

let private scalarOut (_: int[]) = Some [||]
let private sameOut (s: int[]) = Some s

/// The function zoo.
let private zoo =
    [
        fn "sum (exp x)" [ "sum"; "exp" ] (fun x -> Tensor.sum (Tensor.exp x)) scalarOut
        fn "x * x" [ "mul" ] (fun x -> x * x) sameOut
        fn "mean (tanh x)" [ "mean"; "tanh" ] (fun x -> Tensor.mean (Tensor.tanh x)) scalarOut
        fn "softmax x" [ "softmax" ] (fun x -> Tensor.softmax x) sameOut
        fn "sum (x, 0)" [ "sum" ] (fun x -> Tensor.sum (x, 0)) (fun s ->
            Some(if s.Length = 0 then s else s[1..]))
        fn "reshape [-1]" [ "reshape" ] (fun x -> x.Reshape [ -1 ]) (fun s -> Some [| Array.fold (*) 1 s |])
        fn "argmax x" [ "argmax" ] (fun x -> Tensor.argmax x) (fun s ->
            if Array.contains 0 s then None else Some [||])
        fn "x > 0" [ "gt" ] (fun x -> Tensor.gt (x, 0.0)) sameOut
        fn "constant 1" [] (fun _ -> Tensor.scalar 1.0) scalarOut
        fn
            "grad inside"
            [ "Diff.grad"; "mul"; "sum" ]
            (fun x -> Diff.grad (fun y -> Tensor.sum (y * x * y)) x)
            sameOut
        fn "jvp inside" [ "Diff.jvp"; "sin" ] (fun x -> snd (Diff.jvp Tensor.sin x x)) sameOut
        fn "sum (log x)" [ "sum"; "log" ] (fun x -> Tensor.sum (Tensor.log x)) scalarOut
        fn "x.[0]" [ "slice" ] (fun x -> x.[0]) (fun s ->
            if s.Length > 0 && s[0] > 0 then Some s[1..] else None)
        fn "stopGradient x * x" [ "mul" ] (fun x -> Diff.stopGradient x * x) sameOut
        fn "sum (x ** 3)" [ "sum"; "pow" ] (fun x -> Tensor.sum (x ** 3.0)) scalarOut
        fn "NaN loss" [ "sum"; "mul" ] (fun x -> Tensor.sum (x * nan)) scalarOut
        fn "matmul (x, x.T)" [ "matmul"; "transpose" ] (fun x -> Tensor.matmul (x, x.T)) (fun _ -> None)
        fn "sum (toDtype Float64)" [ "sum"; "toDtype" ] (fun x -> Tensor.sum (x.ToDtype Float64)) scalarOut
    ]

/// A function from the zoo.
let private function' = Gen.elements zoo

/// A point: mostly floating point, of any shape.
let private point = Gen.frequency [ 5, floatTensor; 1, tensor ]

/// A point with few elements (for Jacobians and Hessians, one derivative per element).
let private smallPoint =
    gen {
        let! s = shapeOfRanks 0 2
        let! d = Gen.frequency [ 5, floatDtype; 1, dtype ]
        return! tensorOf d s
    }

/// A direction for `x`: usually of its shape and dtype, sometimes of another shape or dtype.
let private directionFor (x: Tensor) =
    Gen.frequency [ 6, tensorOf x.Dtype x.Shape; 1, tensorOfShape x.Shape; 1, tensor ]

/// `fn` of the first argument (a constant when there is none).
let private firstOf (fn: Fn) (xs: Tensor[]) =
    if xs.Length = 0 then Tensor.scalar 0.0 else fn.F xs[0]

let private shapeMust (what: string) (t: Tensor) (s: int[]) =
    if t.Shape <> s then
        raise (ContractBroken $"{what} has shape %A{t.Shape}, expected %A{s}")

/// The expectation for a function of `x` that needs a float point and (if `scalar`) a scalar output.
let private needs (fn: Fn) (x: Tensor) (scalar: bool) (result: int[] -> int[]) =
    match fn.Out x.Shape with
    | _ when not x.Dtype.IsFloatingPoint -> Fails
    | Some o when scalar && Array.fold (*) 1 o <> 1 -> Fails
    | Some o -> ShapeIfOk(result o)
    | None -> Anything

/// A spec for Diff function `name` whose cases come from a function and a point.
let private diffSpec (name: string) (cases: Fn -> Gen<Case>) =
    plainSpec
        name
        ("Diff." :: (zoo |> List.collect (fun f -> f.Names)) |> List.distinct)
        (gen {
            let! f = function'
            return! cases f
        })

let private diffs =
    [
        diffSpec "Diff.grad" (fun fn ->
            gen {
                let! x = point

                return
                    case
                        [ x ]
                        fn.Name
                        (fun t -> box (Diff.grad fn.F t[0]))
                        (needs fn x true (fun _ -> x.Shape))
            })
        diffSpec "Diff.valueAndGrad" (fun fn ->
            gen {
                let! x = point

                let apply (t: Tensor[]) =
                    let v, g = Diff.valueAndGrad fn.F t[0]
                    shapeMust "the value" v (defaultArg (fn.Out x.Shape) v.Shape)
                    box g

                return case [ x ] fn.Name apply (needs fn x true (fun _ -> x.Shape))
            })
        diffSpec "Diff.diff" (fun fn ->
            gen {
                let! s = Gen.frequency [ 4, Gen.constant [||]; 1, Gen.constant [| 1 |]; 1, shape ]
                let! x = Gen.frequency [ 5, floatTensorOfShape s; 1, tensorOfShape s ]

                let expect = if x.NumElements <> 1 then Fails else needs fn x false id

                return case [ x ] fn.Name (fun t -> box (Diff.diff fn.F t[0])) expect
            })
        diffSpec "Diff.diffn" (fun fn ->
            gen {
                let! n = Gen.choose (-1, 3)
                let! x = floatTensorOfShape [||]

                let expect =
                    if n < 0 then Fails
                    elif n = 0 then Anything
                    else needs fn x false id

                return case [ x ] (fn.Name, n) (fun t -> box (Diff.diffn n fn.F t[0])) expect
            })
        diffSpec "Diff.jvp" (fun fn ->
            gen {
                let! x = point
                let! v = directionFor x

                let apply (t: Tensor[]) =
                    let y, dy = Diff.jvp fn.F t[0] t[1]
                    shapeMust "the tangent" dy y.Shape
                    box y

                let expect = if v.Shape <> x.Shape then Fails else needs fn x false id

                return case [ x; v ] fn.Name apply expect
            })
        diffSpec "Diff.vjp" (fun fn ->
            gen {
                let! x = point
                let! wrong = Gen.frequency [ 5, Gen.constant false; 1, Gen.constant true ]
                let! other = tensor

                let apply (t: Tensor[]) =
                    let y, pullback = Diff.vjp fn.F t[0]
                    let u = if wrong then other else Tensor.ones (y.Shape, y.Dtype)
                    let g = pullback u
                    shapeMust "the cotangent" g x.Shape
                    box g

                let expect =
                    match fn.Out x.Shape with
                    | _ when not x.Dtype.IsFloatingPoint -> Fails
                    | Some o when wrong && o <> other.Shape -> Fails
                    | _ -> Anything

                return case [ x ] (fn.Name, wrong, showTensor other) apply expect
            })
        diffSpec "Diff.jacobian" (fun fn ->
            gen {
                let! x = smallPoint
                let! mode = Gen.choose (0, 2)

                let jac =
                    match mode with
                    | 0 -> Diff.jacobian
                    | 1 -> Diff.jacfwd
                    | _ -> Diff.jacrev

                return
                    case
                        [ x ]
                        (fn.Name, mode)
                        (fun t -> box (jac fn.F t[0]))
                        (needs fn x false (fun o -> Array.append o x.Shape))
            })
        diffSpec "Diff.hessian" (fun fn ->
            gen {
                let! x = smallPoint

                return
                    case
                        [ x ]
                        fn.Name
                        (fun t -> box (Diff.hessian fn.F t[0]))
                        (needs fn x true (fun _ -> Array.append x.Shape x.Shape))
            })
        diffSpec "Diff.hvp" (fun fn ->
            gen {
                let! x = point
                let! v = directionFor x

                let expect =
                    if v.Shape <> x.Shape then
                        Fails
                    else
                        needs fn x true (fun _ -> x.Shape)

                return case [ x; v ] fn.Name (fun t -> box (Diff.hvp fn.F t[0] t[1])) expect
            })
        diffSpec "Diff.laplacian" (fun fn ->
            gen {
                let! x = smallPoint

                return
                    case
                        [ x ]
                        fn.Name
                        (fun t -> box (Diff.laplacian fn.F t[0]))
                        (needs fn x true (fun _ -> [||]))
            })
        diffSpec "Diff.divergence" (fun fn ->
            gen {
                let! x = smallPoint

                let expect =
                    match fn.Out x.Shape with
                    | _ when not x.Dtype.IsFloatingPoint -> Fails
                    | Some o when Array.fold (*) 1 o <> x.NumElements -> Fails
                    | Some _ -> ShapeIfOk [||]
                    | None -> Anything

                return case [ x ] fn.Name (fun t -> box (Diff.divergence fn.F t[0])) expect
            })
        diffSpec "Diff.curl" (fun fn ->
            gen {
                let! s = Gen.frequency [ 4, Gen.constant [| 3 |]; 1, shape ]
                let! x = Gen.frequency [ 5, floatTensorOfShape s; 1, tensorOfShape s ]

                let expect =
                    match fn.Out x.Shape with
                    | _ when x.Shape <> [| 3 |] || not x.Dtype.IsFloatingPoint -> Fails
                    | Some [| 3 |] -> ShapeIfOk [| 3 |]
                    | Some _ -> Fails
                    | None -> Anything

                return case [ x ] fn.Name (fun t -> box (Diff.curl fn.F t[0])) expect
            })
        diffSpec "Diff.stopGradient" (fun _ ->
            gen {
                let! x = tensor
                return case [ x ] () (fun t -> box (Diff.stopGradient t[0])) (ShapeIfOk x.Shape)
            })
        diffSpec "Diff.jvpArgs" (fun fn ->
            gen {
                let! xs = Gen.listOf point |> Gen.map (List.truncate 3)

                let matching = Gen.sequenceToList [ for x in xs -> Gen.optionOf (directionFor x) ]

                let! vs =
                    Gen.frequency
                        [ 5, matching; 1, Gen.listOf (Gen.optionOf point) |> Gen.map (List.truncate 3) ]

                let n = xs.Length

                let apply (t: Tensor[]) =
                    let xs, vs = Array.take n t, Array.ofList vs
                    let y, dy = Diff.jvpArgs (firstOf fn) xs vs
                    shapeMust "the tangent" dy y.Shape
                    box y

                return case (xs @ List.choose id vs) (fn.Name, vs.Length) apply Anything
            })
        diffSpec "Diff.vjpArgs" (fun fn ->
            gen {
                let! xs = Gen.listOf point |> Gen.map (List.truncate 3)

                let apply (t: Tensor[]) =
                    let y, pullback = Diff.vjpArgs (firstOf fn) t
                    let gs = pullback (Tensor.ones (y.Shape, y.Dtype))
                    Array.iter2 (fun (g: Tensor) (x: Tensor) -> shapeMust "a cotangent" g x.Shape) gs t
                    box gs

                return case xs fn.Name apply Anything
            })
        diffSpec "Diff.customVjp" (fun fn ->
            gen {
                let! x = point
                let! rule = Gen.choose (0, 3)

                // The rule's cotangent: right, of the wrong shape, of the wrong dtype, or a scalar.
                let pullback (x: Tensor) (_: Tensor) (u: Tensor) =
                    match rule with
                    | 0 -> Tensor.ones (x.Shape, x.Dtype) * Tensor.sum u
                    | 1 -> Tensor.ones ([ 2; 5 ], x.Dtype)
                    | 2 -> Tensor.ones (x.Shape, Int64)
                    | _ -> Tensor.sum u

                let f = Diff.customVjp fn.F pullback

                // A rule whose cotangent does not match the input (shape or dtype) must be rejected.
                let expect =
                    match rule with
                    | _ when not x.Dtype.IsFloatingPoint -> Fails
                    | 0 -> ShapeIfOk x.Shape
                    | 3 when x.Rank = 0 -> ShapeIfOk x.Shape
                    | _ -> Fails

                return
                    case
                        [ x ]
                        (fn.Name, rule)
                        (fun t -> box (Diff.grad (fun x -> Tensor.sum (f x)) t[0]))
                        expect
            })
        diffSpec "Diff.customJvp" (fun fn ->
            gen {
                let! x = point
                let! rule = Gen.choose (0, 2)

                let pushforward (x: Tensor) (dx: Tensor) =
                    match rule with
                    | 0 -> fn.F x * 0.0 + Tensor.sum dx
                    | 1 -> Tensor.ones ([ 2; 5 ], x.Dtype)
                    | _ -> Tensor.ones (x.Shape, Int64)

                let f = Diff.customJvp fn.F pushforward

                // Rule 1's shape never matches an output (dimensions are at most 3); rule 2 matches an
                // Int64 output of x's shape.
                let expect =
                    match rule with
                    | _ when not x.Dtype.IsFloatingPoint -> Fails
                    | 1 -> Fails
                    | _ -> Anything

                return
                    case
                        [ x ]
                        (fn.Name, rule)
                        (fun t -> box (snd (Diff.jvp f t[0] (Tensor.ones (x.Shape, x.Dtype)))))
                        expect
            })
        diffSpec "nested Diff" (fun fn ->
            gen {
                let! x = smallPoint
                let! form = Gen.choose (0, 2)

                let apply (t: Tensor[]) =
                    match form with
                    | 0 -> Diff.grad (fun x -> Tensor.sum (Diff.grad fn.F x)) t[0]
                    | 1 -> snd (Diff.jvp (Diff.grad fn.F) t[0] t[0])
                    | _ -> Diff.grad (fun x -> Tensor.sum (snd (Diff.jvp fn.F x x))) t[0]

                return case [ x ] (fn.Name, form) (apply >> box) Anything
            })
    ]

/// GradCheck on the zoo: it passes, or raises a GradCheckException (a NaN point, a kink) or a documented
/// error from the function.
let private gradCheck =
    let s =
        diffSpec "GradCheck.check" (fun fn ->
            gen {
                let! x = smallPoint
                let! order = Gen.choose (1, 2)

                let options =
                    { GradCheck.defaults with
                        Order = order
                    }

                return
                    case
                        [ x ]
                        (fn.Name, order)
                        (fun t ->
                            GradCheck.checkWith options fn.F t[0]
                            box true)
                        Anything
            })

    { s with
        Names = "GradCheck" :: s.Names
    }

/// Misuse: a tensor made inside a Diff call and kept after it returns has been freed; using it must raise a
/// clear error (not touch freed memory).
let private leaked =
    let s =
        diffSpec "leaked intermediate" (fun _ ->
            gen {
                let! x = Gen.frequency [ 5, floatTensorOfShape [| 2 |]; 1, point ]
                let! use' = Gen.choose (0, 3)

                let apply (t: Tensor[]) =
                    let mutable kept: Tensor = null

                    Diff.grad
                        (fun x ->
                            kept <- Tensor.exp x
                            Tensor.sum kept)
                        t[0]
                    |> ignore

                    match use' with
                    | 0 -> box kept.Shape
                    | 1 -> box (kept.ToArray<float>())
                    | 2 -> box (kept + 1.0)
                    | _ -> box (Diff.grad (fun z -> Tensor.sum (z * kept)) t[0])

                let expect = if x.Dtype.IsFloatingPoint then Fails else Anything
                return case [ x ] use' apply expect
            })

    { s with Names = "freed" :: s.Names }

/// DiffParams on trees of 1-3 random points: the loss is the sum of the zoo function over the leaves.
/// Results must have the tree's structure and shapes.
let private diffParams =
    let s =
        diffSpec "DiffParams" (fun fn ->
            gen {
                let! xs = Gen.listOf point |> Gen.map (List.truncate 3)
                let xs = if xs.IsEmpty then [ Tensor.zeros [ 2 ] ] else xs
                let! form = Gen.choose (0, 6)
                let! wrong = Gen.frequency [ 5, Gen.constant false; 1, Gen.constant true ]
                let! other = point
                let names = [ "a"; "b.w"; "b.v" ]

                let apply (t: Tensor[]) =
                    let p = Params.ofList (List.zip (List.take t.Length names) (List.ofArray t))

                    let loss (p: Params) =
                        Params.tensors p |> List.map (fn.F >> Tensor.sum) |> List.reduce (+)

                    let direction =
                        if wrong then
                            Params.ofList [ "a", other ]
                        else
                            Params.map (fun x -> x) p

                    let sameTree (what: string) (q: Params) =
                        let shapes (p: Params) =
                            Params.toList p |> List.map (fun (n, t) -> n, t.Shape)

                        if shapes q <> shapes p then
                            raise (
                                ContractBroken
                                    $"{what} has paths and shapes %A{shapes q}, expected %A{shapes p}"
                            )

                    match form with
                    | 0 ->
                        let g = DiffParams.grad loss p
                        sameTree "the gradient" g

                        // The loss is a sum over the leaves: each leaf's gradient is Diff.grad of its own term.
                        for (path, gi), xi in List.zip (Params.toList g) (Params.tensors p) do
                            let expected = (Diff.grad (fn.F >> Tensor.sum) xi).ToArray<float>()
                            let got = gi.ToArray<float>()

                            let close (a: float) (b: float) =
                                a = b
                                || (System.Double.IsNaN a && System.Double.IsNaN b)
                                || abs (a - b) <= 1e-5 * (1.0 + abs b)

                            if not (Array.forall2 close got expected) then
                                raise (
                                    ContractBroken
                                        $"the gradient of '{path}' is %A{got}, but Diff.grad of its term gives %A{expected}"
                                )
                    | 1 ->
                        let y, pullback = DiffParams.vjp loss p
                        sameTree "the pullback" (pullback (Tensor.ones (y.Shape, y.Dtype)))
                    | 2 -> DiffParams.jvp loss p direction |> ignore
                    | 3 -> sameTree "the HVP" (DiffParams.hvp loss p direction)
                    | 4 ->
                        let _, g = DiffParams.valueAndGrad loss p
                        sameTree "the gradient of valueAndGrad" g
                    | 5 ->
                        let y, dy = DiffParams.jvpTree (Params.map fn.F) p direction

                        let shapes (q: Params) =
                            Params.toList q |> List.map (fun (n, t) -> n, t.Shape)

                        if shapes dy <> shapes y then
                            raise (
                                ContractBroken
                                    $"jvpTree's tangent has paths and shapes %A{shapes dy}, its value %A{shapes y}"
                            )
                    | _ ->
                        let h = DiffParams.hessian loss p
                        let n = Params.count p

                        if h.Shape <> [| n; n |] then
                            raise (ContractBroken $"the Hessian has shape %A{h.Shape}, expected [{n}; {n}]")

                    box true

                return case xs (fn.Name, form, wrong) apply Anything
            })

    { s with
        Names = "DiffParams" :: "Params" :: s.Names
    }

/// Every fuzzed Diff function.
let all = diffs @ [ gradCheck; leaked; diffParams ]
