/// Elementwise comparisons with broadcasting: Bool tensors that carry no derivative.
module internal Functional.Ops.Comparison

open Functional.Ad
open Functional.Ops.Define

/// Compares two values elementwise with broadcasting; the result is a Bool constant.
let private compare (name: string) (op: Raw -> Raw -> Raw) (a: Value) (b: Value) : Value =
    broadcastShapes name (Value.shape a) (Value.shape b) |> ignore
    constant name (fun r -> op r[0] r[1]) [| a; b |]

/// Compares every element with a number; the result is a Bool constant.
let private compareScalar (name: string) (op: Raw -> TorchSharp.Scalar -> Raw) (c: float) (a: Value) : Value =
    constant name (fun r -> op r[0] (scalar c)) [| a |]

/// a = b.
let eq a b = compare "eq" (fun x y -> x.eq y) a b
/// a ≠ b.
let ne a b = compare "ne" (fun x y -> x.ne y) a b
/// a < b.
let lt a b = compare "lt" (fun x y -> x.lt y) a b
/// a ≤ b.
let le a b = compare "le" (fun x y -> x.le y) a b
/// a > b.
let gt a b = compare "gt" (fun x y -> x.gt y) a b
/// a ≥ b.
let ge a b = compare "ge" (fun x y -> x.ge y) a b

/// a = c.
let eqScalar c a =
    compareScalar "eq" (fun x y -> x.eq y) c a

/// a ≠ c.
let neScalar c a =
    compareScalar "ne" (fun x y -> x.ne y) c a

/// a < c.
let ltScalar c a =
    compareScalar "lt" (fun x y -> x.lt y) c a

/// a ≤ c.
let leScalar c a =
    compareScalar "le" (fun x y -> x.le y) c a

/// a > c.
let gtScalar c a =
    compareScalar "gt" (fun x y -> x.gt y) c a

/// a ≥ c.
let geScalar c a =
    compareScalar "ge" (fun x y -> x.ge y) c a

/// True where x is finite (neither NaN nor ±Inf); integer and Bool elements are always finite.
let isFinite (x: Value) =
    constant "isFinite" (fun r -> r[0].isfinite()) [| x |]
