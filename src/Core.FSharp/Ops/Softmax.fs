/// softmax and logSoftmax along a dimension: stable raw forwards with cheap derivative rules.
module internal Functional.Ops.Softmax

open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic
open Functional.Ops.Validate
open Functional.Ops.Reductions

/// True when libtorch's softmax kernel is slow for `r` along `d`: the last dimension, shorter than one
/// AVX-512 register (16 float32 or 8 float64 values), over at least 512 elements. Its kernel then takes
/// 21 µs for [128; 10] and 150 µs for [1024; 10] (one thread), against 12 and 36 µs for the same
/// arithmetic as separate max, subtract, exp, sum and divide kernels; from 16 values on its own is faster.
let private shortLastDim (d: int64) (r: Raw) : bool =
    // ndim and size read single numbers; `shape` allocates an array through a native callback (hot path)
    let rank = r.ndim

    (r.dtype = TorchSharp.torch.ScalarType.Float32
     || r.dtype = TorchSharp.torch.ScalarType.Float64)
    && rank > 0L
    && d = rank - 1L
    && r.size (int d) < 64L / r.ElementSize
    && r.NumberOfElements >= 512L

/// exp(x - max x) / Σ exp(x - max x) along dimension `d` (>= 0) of a raw tensor.
let rawSoftmax (d: int64) (r: Raw) : Raw =
    if shortLastDim d r then
        use largest = r.amax ([| d |], true)
        let e = r.sub(largest).exp_()
        use total = e.sum (d, true)
        e.div_ total
    else
        r.softmax (d, System.Nullable())

/// (x - max x) - log Σ exp(x - max x) along dimension `d` (>= 0) of a raw tensor.
let rawLogSoftmax (d: int64) (r: Raw) : Raw =
    if shortLastDim d r then
        use largest = r.amax ([| d |], true)
        let shifted = r.sub largest
        use e = shifted.exp ()
        use logTotal = e.sum(d, true).log_()
        shifted.sub_ logTotal
    else
        r.log_softmax (d, System.Nullable())

/// exp x / Σ exp x along dimension `d` (already normalized); J v = y (v - Σ y v), Jᵀ g = y (g - Σ g y).
let private softmaxAlong (d: int) (x: Value) : Value =
    let pull (y: Value) (v: Value) = mul y (sub v (sumDim d true (mul v y)))

    unary "softmax" (rawSoftmax (int64 d)) (fun _ y t -> pull y t) (fun _ y g -> pull y g) x

/// x - log Σ exp x along dimension `d` (already normalized); with s = exp y: J v = v - Σ s v,
/// Jᵀ g = g - s Σ g.
let private logSoftmaxAlong (d: int) (x: Value) : Value =
    unary
        "logSoftmax"
        (rawLogSoftmax (int64 d))
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
