/// Elementwise functions of one tensor, each with its derivative rules.
module internal Functional.Ops.Elementwise

open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic
open Functional.Ops.Validate

/// A unary op whose derivative is `t * d(x, y)` in both modes (x the input, y the output).
let smooth name forward (d: Value -> Value -> Value) (x: Value) =
    unary name forward (fun x y t -> mul t (d x y)) (fun x y g -> mul g (d x y)) x

/// e^x.
let exp (x: Value) =
    requireFloat "exp" x
    smooth "exp" (fun r -> r.exp ()) (fun _ y -> y) x

/// Natural logarithm.
let log (x: Value) =
    requireFloat "log" x
    unary "log" (fun r -> r.log ()) (fun x _ t -> div t x) (fun x _ g -> div g x) x

/// tanh x; derivative 1 - tanh² x (applied by the fused `tanhRule`).
let tanh (x: Value) =
    requireFloat "tanh" x

    unary
        "tanh"
        (fun r -> r.tanh ())
        (fun _ y t -> FusedRules.tanhRule y t)
        (fun _ y g -> FusedRules.tanhRule y g)
        x

/// Logistic sigmoid 1 / (1 + e^-x); derivative y (1 - y).
let sigmoid (x: Value) =
    requireFloat "sigmoid" x
    smooth "sigmoid" (fun r -> r.sigmoid ()) (fun _ y -> mul y (rsubScalar 1.0 y)) x

/// sin x.
let rec sin (x: Value) =
    requireFloat "sin" x
    smooth "sin" (fun r -> r.sin ()) (fun x _ -> cos x) x

/// cos x.
and cos (x: Value) =
    requireFloat "cos" x
    smooth "cos" (fun r -> r.cos ()) (fun x _ -> neg (sin x)) x

/// Square root; derivative 1 / (2 sqrt x).
let sqrt (x: Value) =
    requireFloat "sqrt" x
    smooth "sqrt" (fun r -> r.sqrt ()) (fun _ y -> rdivScalar 0.5 y) x

/// log(1 + x), accurate for small x; derivative 1 / (1 + x).
let log1p (x: Value) =
    requireFloat "log1p" x

    unary
        "log1p"
        (fun r -> r.log1p ())
        (fun x _ t -> div t (addScalar 1.0 x))
        (fun x _ g -> div g (addScalar 1.0 x))
        x

/// eˣ - 1, accurate for small x; derivative eˣ = y + 1.
let expm1 (x: Value) =
    requireFloat "expm1" x
    smooth "expm1" (fun r -> r.expm1 ()) (fun _ y -> addScalar 1.0 y) x

/// The sign of x (-1, 0 or 1) in x's dtype; no derivative.
let sign (x: Value) =
    requireNumeric "sign" x
    constant "sign" (fun r -> r[0].sign()) [| x |]

/// |x|; derivative sign x (0 at x = 0, like PyTorch).
let abs (x: Value) =
    requireNumeric "abs" x
    smooth "abs" (fun r -> r.abs ()) (fun x _ -> sign x) x

/// The 0/1 mask x > 0 in x's dtype (no derivative).
let positiveMask (x: Value) =
    constant "positiveMask" (fun r -> r[0].gt(scalar 0.0).to_type r[0].dtype) [| x |]

/// max(x, 0); derivative 1 where x > 0 (applied by the fused `reluRule`).
let relu (x: Value) =
    unary
        "relu"
        (fun r -> r.relu ())
        (fun _ y t -> FusedRules.reluRule y t)
        (fun _ y g -> FusedRules.reluRule y g)
        x

/// Selects `a` where `cond` (a Bool tensor, no derivative) holds and `b` elsewhere, with broadcasting.
let rec where (cond: Value) (a: Value) (b: Value) : Value =
    let c = Value.raw cond

    binary
        "where"
        (fun x y -> torch_where c x y)
        (fun _ _ y i t ->
            let z = zerosLike t

            if i = 0 then
                broadcastTo (Value.shape y) (where cond t z)
            else
                broadcastTo (Value.shape y) (where cond z t))
        (fun a b _ g i ->
            let z = zerosLike g

            if i = 0 then
                sumToShape (Value.shape a) (where cond g z)
            else
                sumToShape (Value.shape b) (where cond z g))
        a
        b

/// a ** b elementwise with broadcasting; the derivative in b uses log a, taken as 0 where a = 0.
let rec pow (a: Value) (b: Value) : Value =
    let logSafe (a: Value) =
        // An integer base carries no derivative; its log (for the exponent's derivative) is taken in float.
        let a =
            if (Value.raw a).is_floating_point() then
                a
            else
                constant "pow" (fun r -> r[0].to_type TorchSharp.torch.ScalarType.Float64) [| a |]

        let positive = constant "pow" (fun r -> r[0].gt(scalar 0.0)) [| a |]
        where positive (log (where positive a (onesLike a))) (zerosLike a)

    binary
        "pow"
        (fun x y -> x.pow y)
        (fun a b y i t ->
            if i = 0 then
                mul t (mul b (pow a (addScalar -1.0 b)))
            else
                mul t (mul y (logSafe a)))
        (fun a b y g i ->
            if i = 0 then
                sumToShape (Value.shape a) (mul g (mul b (pow a (addScalar -1.0 b))))
            else
                sumToShape (Value.shape b) (mul g (mul y (logSafe a))))
        a
        b
