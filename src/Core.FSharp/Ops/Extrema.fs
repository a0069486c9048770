/// Elementwise extrema: clamp to bounds and the maximum/minimum of two tensors with broadcasting
/// (PyTorch's derivative conventions: 1 on the clamp bounds, ties split ½/½).
module internal Functional.Ops.Extrema

open System
open Functional
open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic
open Functional.Ops.Validate

/// x limited to [lo, hi] (either bound optional); derivative 1 where lo ≤ x ≤ hi, else 0.
let clamp (lo: float option) (hi: float option) (x: Value) : Value =
    requireNumeric "clamp" x

    match lo, hi with
    | None, None -> Errors.fail "clamp" "neither a minimum nor a maximum was given" "Pass min, max or both."
    | Some l, _ when Double.IsNaN l ->
        Errors.fail "clamp" "the minimum is NaN" "Pass a number (or omit the bound)."
    | _, Some h when Double.IsNaN h ->
        Errors.fail "clamp" "the maximum is NaN" "Pass a number (or omit the bound)."
    | Some l, Some h when l > h ->
        Errors.fail "clamp" $"the minimum {l} is greater than the maximum {h}" "Pass min <= max."
    | _ -> ()

    let forward (r: Raw) =
        match lo, hi with
        | Some l, Some h -> r.clamp (scalar l, scalar h)
        | Some l, None -> r.clamp_min (scalar l)
        | _, Some h -> r.clamp_max (scalar h)
        | None, None -> r

    let inside (x: Value) =
        constant
            "clamp"
            (fun r ->
                let x = r[0]

                let mask =
                    match lo, hi with
                    | Some l, Some h -> x.ge(scalar l).logical_and(x.le (scalar h))
                    | Some l, None -> x.ge (scalar l)
                    | _, Some h -> x.le (scalar h)
                    | None, None -> x.isfinite ()

                mask.to_type x.dtype)
            [| x |]

    unary "clamp" forward (fun x _ t -> mul t (inside x)) (fun x _ g -> mul g (inside x)) x

/// The constant weight of input i in max/min(a, b), in the output's shape and dtype: 1 where input i
/// wins, ½ on ties, 0 where it loses.
let private share (name: string) (wins: Raw -> Raw -> Raw) (a: Value) (b: Value) (y: Value) (i: int) : Value =
    constant
        name
        (fun r ->
            let first, second = if i = 0 then r[0], r[1] else r[1], r[0]
            let dtype = r[2].dtype
            use won = (wins first second).to_type dtype
            use tied = first.eq(second).to_type dtype
            use half = tied.mul (scalar 0.5)
            won.add (half, Functional.Raw.Scalars.One))
        [| a; b; y |]

/// Elementwise extremum of two values with broadcasting, `wins first second` saying where `first` is picked.
let private extremum
    (name: string)
    (forward: Raw -> Raw -> Raw)
    (wins: Raw -> Raw -> Raw)
    (a: Value)
    (b: Value)
    =
    requireNumeric name a
    requireNumeric name b
    broadcastShapes name (Value.shape a) (Value.shape b) |> ignore

    binary
        name
        forward
        (fun a b y i t -> broadcastTo (Value.shape y) (mul t (share name wins a b y i)))
        (fun a b y g i -> sumToShape (Value.shape (if i = 0 then a else b)) (mul g (share name wins a b y i)))
        a
        b

/// max(a, b) elementwise with broadcasting; on ties each input gets half the derivative (like PyTorch).
let maximum (a: Value) (b: Value) =
    extremum "maximum" (fun x y -> x.maximum y) (fun x y -> x.gt y) a b

/// min(a, b) elementwise with broadcasting; on ties each input gets half the derivative (like PyTorch).
let minimum (a: Value) (b: Value) =
    extremum "minimum" (fun x y -> x.minimum y) (fun x y -> x.lt y) a b
