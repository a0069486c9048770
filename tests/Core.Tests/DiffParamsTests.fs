module Functional.Tests.DiffParamsTests

open System
open Expecto
open Functional

let private values (t: Tensor) = t.ToArray<float>()

let private expectClose (tol: float) (got: float[]) (expected: float[]) (what: string) =
    Expect.equal got.Length expected.Length $"{what}: length"

    for i in 0 .. expected.Length - 1 do
        if not (abs (got[i] - expected[i]) <= tol * (1.0 + abs expected[i])) then
            failtest $"{what}: element {i}: got {got[i]:G12}, expected {expected[i]:G12}"

let private flat (p: Params) = values (Params.flatten p)

/// A smooth, non-separable function of the sample tree.
let private f (p: Params) =
    let w = p.Get "encoder.0.weight"
    let b = p.Get "encoder.0.bias"
    let h = p.Get "head.weight"
    let x = Tensor.create ([ [ 0.3 ]; [ -0.2 ]; [ 0.5 ] ], Float64)
    let hidden = Tensor.tanh (Tensor.matmul (w, x) + b.Reshape [ 2; 1 ])

    Tensor.sum (Tensor.matmul (h, hidden))
    + 0.1 * Tensor.sum (w * w) * Tensor.sum (b * b)

let private sample () =
    ParamsTests.sample () |> Params.map (fun t -> t * 0.3)

let private direction (p: Params) =
    Params.unflatten p (Tensor.create ([ for i in 1 .. Params.count p -> sin (float i) ], Float64))

[<Tests>]
let tests =
    testList
        "DiffParams"
        [
            test "grad has the structure of the parameters and equals the per-tensor gradients" {
                let p = sample ()
                let value, g = DiffParams.valueAndGrad f p
                Expect.isTrue (Params.sameStructure p g) "same structure"
                Expect.floatClose Accuracy.veryHigh (value.ToDouble()) ((f p).ToDouble()) "value"

                for path, t in Params.toList p do
                    let alone = Diff.grad (fun x -> f (Params.set path (Params.leaf x) p)) t
                    expectClose 1e-12 (values (g.Get path)) (values alone) $"gradient of {path}"
            }

            test "gradient of a tensor the function ignores is zero" {
                let p =
                    Params.ofList
                        [ "used", Tensor.scalar (2.0, Float64); "unused", Tensor.ones ([ 3 ], Float64) ]

                let g = DiffParams.grad (fun p -> p.Get "used" * p.Get "used") p
                expectClose 0.0 (values (g.Get "used")) [| 4.0 |] "used"
                expectClose 0.0 (values (g.Get "unused")) [| 0.0; 0.0; 0.0 |] "unused"
            }

            test "grad through flatten is the unflattened weight" {
                let p = sample ()
                let w = Tensor.create ([ for i in 1..10 -> float i ], Float64)
                let g = DiffParams.grad (fun p -> Tensor.sum (Params.flatten p * w)) p
                expectClose 0.0 (flat g) (values w) "d/dp <flatten p, w>"
            }

            test "jvp and vjp agree with the gradient" {
                let p = sample ()
                let v = direction p
                let g = DiffParams.grad f p
                let y, jv = DiffParams.jvp f p v
                Expect.floatClose Accuracy.veryHigh (y.ToDouble()) ((f p).ToDouble()) "jvp value"

                Expect.floatClose
                    Accuracy.veryHigh
                    (jv.ToDouble())
                    ((Params.dot g v).ToDouble())
                    "J v = <grad, v>"

                let _, pullback = DiffParams.vjp f p

                expectClose
                    1e-12
                    (flat (pullback (Tensor.scalar (3.0, Float64))))
                    (flat (3.0 * g))
                    "pullback of 3"
            }

            test "hvp matches central finite differences of the gradient" {
                let p = sample ()
                let v = direction p
                let h = 1e-5
                let hv = DiffParams.hvp f p v
                Expect.isTrue (Params.sameStructure p hv) "same structure"
                let fd = (DiffParams.grad f (p + h * v) - DiffParams.grad f (p - h * v)) / (2.0 * h)
                expectClose 1e-7 (flat hv) (flat fd) "H v"
            }

            test "hessian over the flattened tree agrees with hvp" {
                let p = sample ()
                let v = direction p
                let hessian = DiffParams.hessian f p
                Expect.equal hessian.Shape [| 10; 10 |] "shape"
                let hv = Tensor.matmul (hessian, (Params.flatten v).Reshape [ 10; 1 ])
                expectClose 1e-10 (values hv) (flat (DiffParams.hvp f p v)) "H · v"
                expectClose 1e-10 (values hessian) (values hessian.T) "symmetric"
            }

            test "nesting: the gradient of half the squared gradient norm is H grad" {
                let p = sample ()
                let g = DiffParams.grad f p

                let outer =
                    DiffParams.grad (fun q -> 0.5 * Params.dot (DiffParams.grad f q) (DiffParams.grad f q)) p

                expectClose 1e-10 (flat outer) (flat (DiffParams.hvp f p g)) "∇ ½‖∇f‖² = H ∇f"
            }

            test "nesting with Diff does not confuse perturbations" {
                // d/dx [ x * (d/dp (x + p) at p = 1) ] = d/dx [ x ] = 1
                let p = Params.ofList [ "p", Tensor.scalar (1.0, Float64) ]

                let d =
                    Diff.diff
                        (fun x ->
                            let inner = DiffParams.grad (fun q -> Tensor.sum (x + q.Get "p")) p
                            x * inner.Get "p")
                        (Tensor.scalar (1.0, Float64))

                Expect.floatClose Accuracy.veryHigh (d.ToDouble()) 1.0 "derivative"
                // d/dx of the gradient of x * sum(p²) w.r.t. p is 2 p.
                let q = ParamsTests.sample ()

                let dx =
                    Diff.diff
                        (fun x -> Params.flatten (DiffParams.grad (fun q -> x * Params.dot q q) q))
                        (Tensor.scalar (3.0, Float64))

                expectClose 1e-12 (values dx) (flat (2.0 * q)) "d/dx ∇ₚ (x ‖p‖²)"
            }

            test "integer tensors and non-scalar outputs give clear errors" {
                let p = Params.ofList [ "n", Tensor.create ([ 1; 2 ], Int64) ]

                let e =
                    Expect.throwsC
                        (fun () -> DiffParams.grad (fun p -> Tensor.sum (p.Get "n")) p |> ignore)
                        id

                Expect.stringContains e.Message "'n'" "names the tensor"
                let q = sample ()

                let e2 =
                    Expect.throwsC (fun () -> DiffParams.grad (fun p -> p.Get "head.weight") q |> ignore) id

                Expect.isTrue (e2 :? InvalidOperationException) "InvalidOperationException"
                Expect.stringContains e2.Message "scalar" "says why"
            }
        ]
