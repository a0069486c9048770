/// softmax and logSoftmax along a dimension: stable raw forwards with cheap derivative rules.
module internal Functional.Ops.Softmax

open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic
open Functional.Ops.Validate
open Functional.Ops.Reductions

/// exp x / Σ exp x along dimension `d` (already normalized); J v = y (v - Σ y v), Jᵀ g = y (g - Σ g y).
let private softmaxAlong (d: int) (x: Value) : Value =
    let pull (y: Value) (v: Value) = mul y (sub v (sumDim d true (mul v y)))

    unary
        "softmax"
        (fun r -> r.softmax (int64 d, System.Nullable()))
        (fun _ y t -> pull y t)
        (fun _ y g -> pull y g)
        x

/// x - log Σ exp x along dimension `d` (already normalized); with s = exp y: J v = v - Σ s v,
/// Jᵀ g = g - s Σ g.
let private logSoftmaxAlong (d: int) (x: Value) : Value =
    unary
        "logSoftmax"
        (fun r -> r.log_softmax (int64 d, System.Nullable()))
        (fun _ y t -> sub t (sumDim d true (mul t (Elementwise.exp y))))
        (fun _ y g -> sub g (mul (Elementwise.exp y) (sumDim d true g)))
        x

/// The softmax along `dim` (each slice sums to 1), computed stably.
let softmax (dim: int) (x: Value) : Value =
    requireFloat "softmax" x
    alongDim "softmax" dim softmaxAlong x

/// The log of the softmax along `dim`, computed stably (x - logsumexp x).
let logSoftmax (dim: int) (x: Value) : Value =
    requireFloat "logSoftmax" x
    alongDim "logSoftmax" dim logSoftmaxAlong x
