/// Deterministic random numbers for data handling (shuffling, splitting, augmentation parameters),
/// each drawn from an explicit `Rng` key and an index, so results never depend on call order.
module internal Functional.Data.Sampling

open System
open Functional

/// The `i`-th uniform number in [0, 1) of the stream of `rng` (53 random bits).
let uniform (rng: Rng) (i: int) : float =
    float ((Rng.fold i rng).Key >>> 11) * (1.0 / 9007199254740992.0)

/// The `i`-th uniform number in [lo, hi).
let between (lo: float) (hi: float) (rng: Rng) (i: int) : float = lo + (hi - lo) * uniform rng i

/// The `i`-th standard normal number (Box-Muller on the uniforms 2i and 2i + 1).
let normal (rng: Rng) (i: int) : float =
    let u1 = 1.0 - uniform rng (2 * i)
    let u2 = uniform rng (2 * i + 1)
    Math.Sqrt(-2.0 * Math.Log u1) * Math.Cos(2.0 * Math.PI * u2)

/// A uniformly random permutation of 0 .. n-1 (Fisher-Yates).
let permutation (n: int) (rng: Rng) : int[] =
    let p = Array.init n id

    for i in n - 1 .. -1 .. 1 do
        let j = min i (int (uniform rng i * float (i + 1)))
        let t = p[i]
        p[i] <- p[j]
        p[j] <- t

    p
