/// Trigonometric and hyperbolic functions (tan, asin, acos, atan, sinh, cosh) and atan2 with broadcasting.
module internal Functional.Ops.Trigonometric

open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic
open Functional.Ops.Validate
open Functional.Ops.Elementwise

/// tan x; derivative 1 + tan² x.
let tan (x: Value) =
    requireFloat "tan" x
    smooth "tan" (fun r -> r.tan ()) (fun _ y -> addScalar 1.0 (mul y y)) x

/// 1 / sqrt(1 - x²), the derivative of asin.
let private asinSlope (x: Value) =
    powScalar -0.5 (rsubScalar 1.0 (mul x x))

/// arcsin x for x in [-1, 1]; derivative 1 / sqrt(1 - x²).
let asin (x: Value) =
    requireFloat "asin" x
    smooth "asin" (fun r -> r.asin ()) (fun x _ -> asinSlope x) x

/// arccos x for x in [-1, 1]; derivative -1 / sqrt(1 - x²).
let acos (x: Value) =
    requireFloat "acos" x
    smooth "acos" (fun r -> r.acos ()) (fun x _ -> neg (asinSlope x)) x

/// arctan x; derivative 1 / (1 + x²).
let atan (x: Value) =
    requireFloat "atan" x
    smooth "atan" (fun r -> r.atan ()) (fun x _ -> reciprocal (addScalar 1.0 (mul x x))) x

/// sinh x; derivative cosh x.
let rec sinh (x: Value) =
    requireFloat "sinh" x
    smooth "sinh" (fun r -> r.sinh ()) (fun x _ -> cosh x) x

/// cosh x; derivative sinh x.
and cosh (x: Value) =
    requireFloat "cosh" x
    smooth "cosh" (fun r -> r.cosh ()) (fun x _ -> sinh x) x

/// The angle of the point (b, a): atan2(a, b), with broadcasting; ∂/∂a = b / (a² + b²), ∂/∂b = -a / (a² + b²).
let atan2 (a: Value) (b: Value) =
    requireFloat "atan2" a
    requireFloat "atan2" b
    broadcastShapes "atan2" (Value.shape a) (Value.shape b) |> ignore

    let slope (a: Value) (b: Value) (i: int) =
        let r2 = add (mul a a) (mul b b)
        if i = 0 then div b r2 else neg (div a r2)

    binary
        "atan2"
        (fun a b -> a.atan2 b)
        (fun a b y i t -> broadcastTo (Value.shape y) (mul t (slope a b i)))
        (fun a b _ g i -> sumToShape (Value.shape (if i = 0 then a else b)) (mul g (slope a b i)))
        a
        b
