/// Activation functions: erf, leakyRelu, elu, gelu (exact, erf form) and softplus, with PyTorch's
/// conventions at the kinks.
module internal Functional.Ops.Activations

open System
open Functional
open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic
open Functional.Ops.Validate
open Functional.Ops.Elementwise

/// The Gauss error function erf x = 2/√π ∫₀ˣ e^(-t²) dt; derivative 2/√π e^(-x²).
let erf (x: Value) =
    requireFloat "erf" x
    smooth "erf" (fun r -> r.erf ()) (fun x _ -> mulScalar (2.0 / Math.Sqrt Math.PI) (exp (neg (mul x x)))) x

/// x for x > 0, slope·x otherwise; derivative 1 or slope (slope at 0, like PyTorch).
let leakyRelu (slope: float) (x: Value) =
    requireFloat "leakyRelu" x

    if Double.IsNaN slope || Double.IsInfinity slope then
        Errors.fail
            "leakyRelu"
            $"the negative slope {slope} is not a finite number"
            "Pass a finite slope such as 0.01."

    smooth
        "leakyRelu"
        (fun r -> TorchSharp.torch.nn.functional.leaky_relu (r, slope))
        (fun x _ -> addScalar slope (mulScalar (1.0 - slope) (positiveMask x)))
        x

/// x for x > 0, α (eˣ - 1) otherwise; derivative 1 or α eˣ = y + α.
let elu (alpha: float) (x: Value) =
    requireFloat "elu" x

    if Double.IsNaN alpha || Double.IsInfinity alpha then
        Errors.fail "elu" $"alpha {alpha} is not a finite number" "Pass a finite alpha such as 1.0."

    smooth
        "elu"
        (fun r -> r.elu alpha)
        (fun x y ->
            let positive = constant "elu" (fun r -> r[0].gt(scalar 0.0)) [| x |]
            where positive (onesLike x) (addScalar alpha y))
        x

/// x Φ(x) with Φ the standard normal CDF (exact erf form, PyTorch's default);
/// derivative Φ(x) + x φ(x).
let gelu (x: Value) =
    requireFloat "gelu" x

    smooth
        "gelu"
        (fun r -> r.gelu ())
        (fun x _ ->
            let cdf = mulScalar 0.5 (addScalar 1.0 (erf (mulScalar (1.0 / Math.Sqrt 2.0) x)))

            let density =
                mulScalar (1.0 / Math.Sqrt(2.0 * Math.PI)) (exp (mulScalar -0.5 (mul x x)))

            add cdf (mul x density))
        x

/// log(1 + e^(βx)) / β, and x where βx > threshold (PyTorch's softplus); derivative σ(βx), or 1 there.
let softplus (beta: float) (threshold: float) (x: Value) =
    requireFloat "softplus" x

    if not (beta > 0.0) || Double.IsInfinity beta then
        Errors.fail
            "softplus"
            $"beta must be a positive finite number, got {beta}"
            "Pass beta > 0 (PyTorch's default is 1)."

    if Double.IsNaN threshold then
        Errors.fail "softplus" "threshold is NaN" "Pass a number such as 20 (PyTorch's default)."

    smooth
        "softplus"
        (fun r -> r.softplus (beta, threshold))
        (fun x _ ->
            let bx = mulScalar beta x
            let linear = constant "softplus" (fun r -> r[0].gt(scalar threshold)) [| bx |]
            where linear (onesLike x) (sigmoid bx))
        x
