/// Rounding: floor, ceil and round (half to even, like PyTorch); piecewise constant, so the results
/// carry no derivative (their derivative is zero).
module internal Functional.Ops.Rounding

open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Validate

/// Applies a rounding function to a float value; integers are already whole, so they are returned as they are.
let private rounding (name: string) (f: Raw -> Raw) (x: Value) =
    requireNumeric name x

    match (Value.raw x).dtype with
    | TorchSharp.torch.ScalarType.Float32
    | TorchSharp.torch.ScalarType.Float64 -> constant name (fun r -> f r[0]) [| x |]
    | _ -> x

/// The largest integer ≤ x, in x's dtype.
let floor (x: Value) =
    rounding "floor" (fun r -> r.floor ()) x

/// The smallest integer ≥ x, in x's dtype.
let ceil (x: Value) = rounding "ceil" (fun r -> r.ceil ()) x

/// The nearest integer to x, halves to even (0.5 -> 0, 1.5 -> 2), in x's dtype.
let round (x: Value) =
    rounding "round" (fun r -> r.round 0L) x
