/// Explicit cases behind the fuzz contract: the process survives NaN and Inf in losses and gradients (they
/// come back as values that `Tensor.allFinite` detects), integer inputs to float-only ops get a dtype
/// error, Bool arithmetic follows PyTorch, ops on empty tensors, and the native-crash paths the fuzzer
/// found (each used to abort the process or raise a raw libtorch error).
module Functional.Tests.Fuzz.EdgeCaseTests

open Expecto
open Functional
open Functional.Tests

let private f64 (xs: float[]) = Tensor.create (xs, Float64)

let private values (t: Tensor) = t.ToArray<float>()

let private numericalFaults =
    testList
        "NaN and Inf in losses and gradients"
        [
            test "the gradient of a loss with a NaN target is NaN everywhere, not a crash" {
                let x = f64 [| 1.0; 2.0; 3.0 |]
                let loss, g = Diff.valueAndGrad (fun x -> Tensor.sum ((x - nan) ** 2.0)) x
                Expect.isTrue (System.Double.IsNaN(loss.ToDouble())) "the loss is NaN"
                Expect.sequenceEqual g.Shape [| 3 |] "the gradient has the input's shape"
                Expect.isTrue (values g |> Array.forall System.Double.IsNaN) "every component is NaN"
                Expect.isFalse (Tensor.allFinite g) "allFinite detects it"
            }

            test "a NaN parameter poisons only its own gradient component" {
                let g = Diff.grad (fun x -> Tensor.sum (x * x)) (f64 [| 1.0; nan; 3.0 |])
                let v = values g
                Expect.equal v[0] 2.0 "finite component"
                Expect.isTrue (System.Double.IsNaN v[1]) "NaN component"
                Expect.equal v[2] 6.0 "finite component"
                Expect.sequenceEqual (Tensor.isFinite g).Shape [| 3 |] "isFinite locates it"

                Expect.sequenceEqual
                    ((Tensor.isFinite g).ToArray<bool>())
                    [| true; false; true |]
                    "and only it"
            }

            test "log of non-positive values: a NaN loss and an infinite gradient" {
                let loss, g =
                    Diff.valueAndGrad (fun x -> Tensor.mean (Tensor.log x)) (f64 [| -1.0; 0.0; 1.0 |])

                Expect.isTrue (System.Double.IsNaN(loss.ToDouble())) "mean of log(-1), log 0, log 1 is NaN"
                let v = values g
                Expect.floatClose Accuracy.high v[0] (-1.0 / 3.0) "1 / (3x) at -1"
                Expect.isTrue (System.Double.IsPositiveInfinity v[1]) "1 / (3x) at 0"
                Expect.isFalse (Tensor.allFinite g) "detected"
            }

            test "an overflowing loss gives Inf, detected by allFinite" {
                let loss, g =
                    Diff.valueAndGrad (fun x -> Tensor.sum (Tensor.exp x)) (f64 [| 1000.0; 0.0 |])

                Expect.isTrue (System.Double.IsPositiveInfinity(loss.ToDouble())) "exp 1000 overflows"
                Expect.isFalse (Tensor.allFinite loss) "loss"
                Expect.sequenceEqual ((Tensor.isFinite g).ToArray<bool>()) [| false; true |] "gradient"
            }

            test "higher-order derivatives of a NaN loss are NaN too" {
                let x = f64 [| 1.0; 2.0 |]
                let h = Diff.hessian (fun x -> Tensor.sum (x * x * nan)) x
                Expect.sequenceEqual h.Shape [| 2; 2 |] "Hessian shape"
                Expect.isFalse (Tensor.allFinite h) "NaN Hessian"
                let hv = Diff.hvp (fun x -> Tensor.sum (x * x) / 0.0) x (f64 [| 1.0; 0.0 |])
                Expect.isFalse (Tensor.allFinite hv) "Inf HVP"
            }

            test "many steps of a diverged update loop neither crash nor leak into finite values" {
                let mutable p = f64 [| 1.0; 2.0 |]
                let mutable skipped = 0

                for step in 1..200 do
                    let target = if step % 3 = 0 then nan else 1.0
                    let g = Diff.grad (fun p -> Tensor.sum ((p - target) ** 2.0)) p

                    // The check a training loop uses: skip a step whose gradient is not finite.
                    if Tensor.allFinite g then
                        p <- p - 0.1 * g
                    else
                        skipped <- skipped + 1

                Expect.equal skipped 66 "every NaN step was detected"
                Expect.isTrue (Tensor.allFinite p) "the parameters stayed finite"
                Expect.floatClose Accuracy.medium (values p).[0] 1.0 "and converged"
            }
        ]

let private dtypes =
    testList
        "dtypes"
        [
            test "integer and Bool inputs to float-only ops raise a dtype error naming the op" {
                let ints = Tensor.create ([| 1; 2 |], Int32)
                let bools = Tensor.create [ true; false ]

                for name, f in
                    [
                        "exp", Tensor.exp
                        "log", Tensor.log
                        "sqrt", Tensor.sqrt
                        "tanh", Tensor.tanh
                        "sigmoid", Tensor.sigmoid
                        "sin", Tensor.sin
                        "cos", Tensor.cos
                        "softmax", (fun x -> Tensor.softmax x)
                        "variance", (fun x -> Tensor.variance x)
                        "gelu", Tensor.gelu
                    ] do
                    TestUtil.throwsArgument [ name; "Int32"; "floating-point" ] (fun () -> f ints)
                    TestUtil.throwsArgument [ name; "Bool"; "floating-point" ] (fun () -> f bools)
            }

            test "integer tensors still support exact arithmetic, and promote where PyTorch does" {
                let i = Tensor.create ([| 3; 4 |], Int32)
                Expect.equal (i + i).Dtype Int32 "sum stays Int32"
                Expect.sequenceEqual ((i * i).ToArray<int>()) [| 9; 16 |] "product"
                Expect.equal (i / i).Dtype Float32 "true division gives floats"
                Expect.equal (Tensor.sum i).Dtype Int64 "sum of Int32 is Int64"
                Expect.sequenceEqual ((Tensor.abs -i).ToArray<int>()) [| 3; 4 |] "abs"
            }

            test "Bool arithmetic follows PyTorch: + is or, * is and, - and negation are rejected" {
                let b = Tensor.create [ true; false ]
                Expect.equal (b + b).Dtype Bool "Bool + Bool is Bool"
                Expect.sequenceEqual ((b + b).ToArray<bool>()) [| true; false |] "logical or"

                Expect.sequenceEqual
                    ((b * Tensor.create [ true; true ]).ToArray<bool>())
                    [| true; false |]
                    "and"

                Expect.sequenceEqual ((b * 2.0).ToArray<float>()) [| 2.0; 0.0 |] "a number promotes"
                TestUtil.throwsArgument [ "sub"; "bool" ] (fun () -> b - b)
                TestUtil.throwsArgument [ "neg"; "bool" ] (fun () -> -b)
                TestUtil.throwsArgument [ "matmul"; "Bool" ] (fun () -> Tensor.matmul (b, b))
            }

            test "mixed-dtype matrix products are rejected instead of aborting the process" {
                let a = Tensor.ones ([ 2; 2 ], Float32)
                let b = Tensor.ones ([ 2; 2 ], Float64)
                TestUtil.throwsArgument [ "matmul"; "Float32"; "Float64" ] (fun () -> Tensor.matmul (a, b))
            }

            test "derivative rules that meet mixed float dtypes promote instead of aborting" {
                // matmul in Float32, then a Float64 factor: the cotangent reaching matmul is Float64.
                let w = Tensor.ones ([ 2; 2 ], Float32)
                let c = Tensor.create ([| 1.0; 2.0 |], Float64)
                let g = Diff.grad (fun w -> Tensor.sum (Tensor.matmul (w, w) * c)) w
                Expect.sequenceEqual g.Shape [| 2; 2 |] "gradient shape"
                Expect.isTrue (Tensor.allFinite g) "finite"
            }

            test "tangents and cotangents must have the point's dtype" {
                let x = Tensor.ones ([ 2 ], Float32)

                TestUtil.throwsArgument [ "Diff.jvp"; "Float64"; "Float32" ] (fun () ->
                    Diff.jvp Tensor.sin x (x.ToDtype Float64))

                let _, pullback = Diff.vjp Tensor.sin x

                TestUtil.throwsArgument [ "Diff.vjp"; "Int64" ] (fun () ->
                    pullback (Tensor.ones ([ 2 ], Int64)))
            }
        ]

let private empty =
    testList
        "empty tensors"
        [
            test "reductions of empty tensors: sums are 0, products 1, extrema rejected" {
                let e = Tensor.zeros ([ 0; 3 ], Float64)
                Expect.equal ((Tensor.sum e).ToDouble()) 0.0 "sum"
                Expect.equal ((Tensor.prod e).ToDouble()) 1.0 "prod"
                Expect.sequenceEqual (Tensor.sum (e, 0)).Shape [| 3 |] "sum along the empty dimension"
                TestUtil.throwsArgument [ "max"; "no elements" ] (fun () -> Tensor.max e)
                TestUtil.throwsArgument [ "argmin"; "empty" ] (fun () -> Tensor.argmin (e, 0))
                TestUtil.throwsArgument [ "logsumexp"; "empty" ] (fun () -> Tensor.logsumexp (e, 0))
            }

            test "derivatives at empty points have the point's shape" {
                let e = Tensor.zeros ([ 0; 3 ], Float64)

                Expect.sequenceEqual
                    (Diff.grad (fun x -> Tensor.sum (Tensor.exp x)) e).Shape
                    [| 0; 3 |]
                    "grad"

                Expect.sequenceEqual (Diff.jacobian (fun x -> x * 2.0) e).Shape [| 0; 3; 0; 3 |] "jacobian"
                Expect.sequenceEqual (Diff.jacrev (fun x -> Tensor.sum x) e).Shape [| 0; 3 |] "jacrev"

                Expect.sequenceEqual
                    (Diff.hessian (fun x -> Tensor.sum (x * x)) e).Shape
                    [| 0; 3; 0; 3 |]
                    "hessian"

                Expect.equal ((Diff.laplacian (fun x -> Tensor.sum (x * x)) e).ToDouble()) 0.0 "laplacian"
                Expect.equal ((Diff.divergence (fun x -> x * x) e).ToDouble()) 0.0 "divergence"
            }

            test "an empty batch through convolution and pooling, forward and backward" {
                let x = Tensor.zeros ([ 0; 2; 5 ], Float64)
                let w = Tensor.ones ([ 3; 2; 2 ], Float64)
                let gw = Diff.grad (fun w -> Tensor.sum (Tensor.conv1d (x, w))) w
                Expect.sequenceEqual gw.Shape [| 3; 2; 2 |] "the weight gradient of an empty batch"
                Expect.equal ((Tensor.sum gw).ToDouble()) 0.0 "is zero"
                let gx = Diff.grad (fun x -> Tensor.sum (Tensor.maxPool1d (x, 2))) x
                Expect.sequenceEqual gx.Shape [| 0; 2; 5 |] "max pooling of an empty batch"
            }

            test "empty channel and spatial dimensions are rejected with the shape" {
                TestUtil.throwsArgument [ "avgPool1d"; "[1; 0; 3]" ] (fun () ->
                    Tensor.avgPool1d (Tensor.zeros [ 1; 0; 3 ], 2))

                TestUtil.throwsArgument [ "conv2d"; "[1; 1; 0; 2]"; "spatial" ] (fun () ->
                    Tensor.conv2d (Tensor.zeros [ 1; 1; 0; 2 ], Tensor.ones [ 1; 1; 1; 1 ], padding = 1))

                TestUtil.throwsArgument [ "convTranspose1d"; "[1; 0; 1]" ] (fun () ->
                    Tensor.convTranspose1d (Tensor.zeros [ 1; 1; 4 ], Tensor.zeros [ 1; 0; 1 ]))
            }
        ]

let private creation =
    testList
        "creation and devices"
        [
            test "values that do not fit the dtype are rejected by name" {
                TestUtil.throwsArgument [ "Tensor.full"; "overflow" ] (fun () -> Tensor.scalar (1e300, Int32))

                TestUtil.throwsArgument [ "Tensor.full"; "overflow" ] (fun () ->
                    Tensor.full ([ 2 ], 1e300, Float32))

                TestUtil.throwsArgument [ "Tensor.randint"; "bool" ] (fun () ->
                    Tensor.randint (Rng.seed 0, -1, 4, [ 2 ], Bool))
            }

            test "a missing CUDA device is named by the function that wanted it" {
                TestUtil.throwsArgument [ "Tensor.full"; "CUDA 3" ] (fun () ->
                    Tensor.zeros ([ 2 ], device = CUDA 3))

                TestUtil.throwsArgument [ "Tensor.create"; "CUDA 0"; "not available" ] (fun () ->
                    Tensor.create ([| 1.0 |], device = CUDA 0))

                TestUtil.throwsArgument [ "Tensor.toDevice"; "CUDA 1" ] (fun () ->
                    (Tensor.ones [ 1 ]).ToDevice(CUDA 1))
            }

            test "allclose rejects negative tolerances" {
                TestUtil.throwsArgument [ "Tensor.allclose"; "rtol = -0.1" ] (fun () ->
                    Tensor.allclose (Tensor.ones [ 1 ], Tensor.ones [ 1 ], rtol = -0.1))
            }
        ]

let private userRules =
    testList
        "Diff misuse"
        [
            test "custom rules that return the wrong shape or dtype are rejected" {
                let f = Diff.customVjp (fun x -> x * x) (fun _ _ _ -> Tensor.ones [ 2; 5 ])

                TestUtil.throwsArgument [ "Diff.customVjp"; "[2; 5]"; "[3]" ] (fun () ->
                    Diff.grad (fun x -> Tensor.sum (f x)) (Tensor.ones [ 3 ]))

                let g = Diff.customJvp (fun x -> x * x) (fun x _ -> Tensor.ones (x.Shape, Int64))

                TestUtil.throwsArgument [ "Diff.customJvp"; "Int64"; "Float32" ] (fun () ->
                    Diff.jvp g (Tensor.ones [ 3 ]) (Tensor.ones [ 3 ]))
            }

            test "curl and divergence of functions of the wrong shape name the function" {
                TestUtil.throwsArgument [ "Diff.curl"; "f returned shape []" ] (fun () ->
                    Diff.curl Tensor.sum (Tensor.ones [ 3 ]))

                TestUtil.throwsArgument [ "Diff.divergence"; "f returned shape []"; "[3]" ] (fun () ->
                    Diff.divergence Tensor.sum (Tensor.ones [ 3 ]))
            }
        ]

[<Tests>]
let tests =
    testList "Fuzz edge cases" [ numericalFaults; dtypes; empty; creation; userRules ]
