module Functional.Tests.Ops.FusedRulesTests

open Expecto
open Functional

let private at (x: float) = Tensor.scalar (x, Float64)

/// tanh and its first three derivatives, analytically.
let private tanhDerivatives (x: float) =
    let t = tanh x
    let d1 = 1.0 - t * t
    [| t; d1; -2.0 * t * d1; -2.0 * d1 * (1.0 - 3.0 * t * t) |]

let private close (actual: Tensor) (expected: float) (what: string) =
    Expect.floatClose Accuracy.veryHigh (actual.ToDouble()) expected what

[<Tests>]
let tests =
    testList
        "Ops.FusedRules"
        [
            for x in [ -1.7; -0.3; 0.0; 0.4; 2.2 ] do
                test $"tanh derivatives to third order in every mode mix at {x}" {
                    let expected = tanhDerivatives x
                    let f = Tensor.tanh
                    let g = Diff.grad f

                    for n in 1..3 do
                        close (Diff.diffn n f (at x)) expected[n] $"forward, order {n}"

                    close (g (at x)) expected[1] "reverse"
                    close (Diff.grad g (at x)) expected[2] "reverse over reverse"
                    close (Diff.diff g (at x)) expected[2] "forward over reverse"
                    close (Diff.grad (Diff.diff f) (at x)) expected[2] "reverse over forward"
                    close (Diff.grad (Diff.grad g) (at x)) expected[3] "reverse over reverse over reverse"
                    close (Diff.diff (Diff.diff g) (at x)) expected[3] "forward over forward over reverse"
                }

            test "hvp of sum(tanh(x)^2) matches the analytic diagonal Hessian" {
                let xs = [| -1.2; -0.1; 0.5; 1.9 |]
                let vs = [| 0.3; -2.0; 1.0; 0.7 |]

                let f (x: Tensor) =
                    let t = Tensor.tanh x in Tensor.sum (t * t)

                let hv = Diff.hvp f (Tensor.create (xs, Float64)) (Tensor.create (vs, Float64))

                let expected =
                    Array.map2
                        (fun x v ->
                            let t = tanh x
                            2.0 * (1.0 - t * t) * (1.0 - 3.0 * t * t) * v)
                        xs
                        vs

                let actual = hv.ToArray<float>()

                for i in 0 .. xs.Length - 1 do
                    Expect.floatClose Accuracy.veryHigh actual[i] expected[i] $"element {i}"
            }

            test "relu's derivatives in every mode mix: mask, and 2 mask v for the HVP of sum(relu(x)^2)" {
                let xs = [| -1.5; -0.2; 0.3; 2.0 |]
                let vs = [| 0.5; -1.0; 2.0; -0.7 |]
                let x, v = Tensor.create (xs, Float64), Tensor.create (vs, Float64)
                let mask = xs |> Array.map (fun x -> if x > 0.0 then 1.0 else 0.0)

                let f (x: Tensor) =
                    let r = Tensor.relu x in Tensor.sum (r * r)

                let expectedHv = Array.map2 (fun m v -> 2.0 * m * v) mask vs
                let gradDotV (x: Tensor) = Tensor.sum (Diff.grad f x * v)

                Expect.equal
                    ((snd (Diff.jvp Tensor.relu x v)).ToArray<float>())
                    (Array.map2 (*) mask vs)
                    "jvp"

                Expect.equal
                    ((Diff.grad f x).ToArray<float>())
                    (Array.map2 (fun m x -> 2.0 * m * x) mask xs)
                    "grad"

                Expect.equal ((Diff.hvp f x v).ToArray<float>()) expectedHv "forward over reverse"
                Expect.equal ((Diff.grad gradDotV x).ToArray<float>()) expectedHv "reverse over reverse"
            }
        ]
