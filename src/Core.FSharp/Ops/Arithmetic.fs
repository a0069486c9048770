/// Arithmetic with NumPy broadcasting: add, sub, mul, div, pow, neg and their scalar forms, plus the
/// broadcast/un-broadcast pair that every broadcasting rule uses.
module internal Functional.Ops.Arithmetic

open Functional
open Functional.Ad
open Functional.Raw
open Functional.Ops.Define

let private sameShape (a: int64[]) (b: int64[]) =
    a.Length = b.Length && Array.forall2 (=) a b

/// Expands `x` to `shape` by broadcasting (a view; no copy).
let rec broadcastTo (shape: int64[]) (x: Value) : Value =
    if sameShape (Value.shape x) shape then
        x
    else
        broadcastShapes "broadcastTo" (Value.shape x) shape |> ignore

        unary
            "broadcastTo"
            (fun r -> r.expand shape)
            (fun _ _ t -> broadcastTo shape t)
            (fun x _ g -> sumToShape (Value.shape x) g)
            x

/// Sums `g` down to `shape` (the adjoint of broadcasting `shape` up to `g`'s shape).
and sumToShape (shape: int64[]) (g: Value) : Value =
    let gShape = Value.shape g

    if sameShape gShape shape then
        g
    else
        let lead = gShape.Length - shape.Length

        unary
            "sumToShape"
            (fun r ->
                let summed =
                    if lead > 0 then
                        r.sum ([| 0L .. int64 lead - 1L |], false)
                    else
                        r

                let summedShape = Value.sizes summed

                let dims =
                    [|
                        for i in 0 .. shape.Length - 1 do
                            if shape[i] = 1L && summedShape[i] <> 1L then
                                int64 i
                    |]

                if dims.Length > 0 then summed.sum (dims, true) else summed)
            (fun _ _ t -> sumToShape shape t)
            (fun x _ g -> broadcastTo (Value.shape x) g)
            g

let private outShape (y: Value) = Value.shape y

/// a + b.
let rec add (a: Value) (b: Value) : Value =
    binary
        "add"
        (fun x y -> x.add (y, Scalars.One))
        (fun _ _ y _ t -> broadcastTo (outShape y) t)
        (fun a b _ g i -> sumToShape (Value.shape (if i = 0 then a else b)) g)
        a
        b

/// -x.
and neg (x: Value) : Value =
    unary "neg" (fun r -> r.neg ()) (fun _ _ t -> neg t) (fun _ _ g -> neg g) x

/// a - b.
let rec sub (a: Value) (b: Value) : Value =
    binary
        "sub"
        (fun x y -> x.sub y)
        (fun _ _ y i t -> broadcastTo (outShape y) (if i = 0 then t else neg t))
        (fun a b _ g i ->
            if i = 0 then
                sumToShape (Value.shape a) g
            else
                sumToShape (Value.shape b) (neg g))
        a
        b

/// a * b (elementwise).
let rec mul (a: Value) (b: Value) : Value =
    binary
        "mul"
        (fun x y -> x.mul y)
        (fun a b y i t -> broadcastTo (outShape y) (if i = 0 then mul t b else mul a t))
        (fun a b _ g i ->
            if i = 0 then
                sumToShape (Value.shape a) (mul g b)
            else
                sumToShape (Value.shape b) (mul g a))
        a
        b

/// a / b (elementwise).
let rec div (a: Value) (b: Value) : Value =
    binary
        "div"
        (fun x y -> x.div y)
        (fun _ b y i t -> broadcastTo (outShape y) (if i = 0 then div t b else neg (div (mul t y) b)))
        (fun a b y g i ->
            if i = 0 then
                sumToShape (Value.shape a) (div g b)
            else
                sumToShape (Value.shape b) (neg (div (mul g y) b)))
        a
        b

/// x + c for a float c.
let addScalar (c: float) (x: Value) : Value =
    unary "add" (fun r -> r.add (scalar c, Scalars.One)) (fun _ _ t -> t) (fun _ _ g -> g) x

/// c * x for a float c.
let rec mulScalar (c: float) (x: Value) : Value =
    unary "mul" (fun r -> r.mul (scalar c)) (fun _ _ t -> mulScalar c t) (fun _ _ g -> mulScalar c g) x

/// c - x for a float c.
let rsubScalar (c: float) (x: Value) : Value = addScalar c (neg x)

/// x ** c for a float exponent c.
let rec powScalar (c: float) (x: Value) : Value =
    if c = 1.0 then
        x
    elif c = 0.0 then
        constant "pow" (fun r -> r[0].pow(scalar 0.0)) [| x |]
    else
        let derivative x = mulScalar c (powScalar (c - 1.0) x)

        unary
            "pow"
            (fun r -> r.pow (scalar c))
            (fun x _ t -> mul t (derivative x))
            (fun x _ g -> mul g (derivative x))
            x

/// 1 / x.
let reciprocal (x: Value) : Value = powScalar -1.0 x

/// c / x for a float c.
let rdivScalar (c: float) (x: Value) : Value = mulScalar c (reciprocal x)
