/// The product of elements, over all of them or along a dimension, with a derivative that stays
/// correct where inputs are zero.
module internal Functional.Ops.Product

open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic
open Functional.Ops.Validate
open Functional.Ops.Elementwise
open Functional.Ops.Reductions

/// Product along dimension `d` (already normalized), keeping it as size 1 if `keepDim`.
let rec private prodAlong (d: int) (keepDim: bool) (x: Value) : Value =
    unary
        "prod"
        (fun r -> r.prod (int64 d, keepDim, System.Nullable()))
        (fun x y t -> sumDim d keepDim (mul t (others d keepDim x y)))
        (fun x y g -> mul (restoreDim d keepDim x g) (others d keepDim x y))
        x

/// ∂y/∂xⱼ = ∏_{k≠j} xₖ along `d` for y = prod x. Without zeros this is y / xⱼ. With zeros it is built
/// from the product of the nonzero elements and the product of the zeros, which is exact to every
/// order when at most two zeros share a slice, and to second order of y with more.
and private others (d: int) (keepDim: bool) (x: Value) (y: Value) : Value =
    let r = Value.raw x
    let isZero = r.eq (scalar 0.0)

    if not (isZero.any().item<bool>()) then
        isZero.Dispose()
        div (restoreDim d keepDim x y) x
    else
        let count = isZero.sum([| int64 d |], true).expand(r.shape)
        let z = Value.ofRaw isZero
        let ones = onesLike x
        let zeros = zerosLike x
        let safe = where z ones x
        let nonzeroProduct = prodAlong d true safe
        let zeroProduct = prodAlong d true (where z x ones)

        // For a zero element: the product of the other zeros of its slice.
        let otherZeros =
            let one = Value.ofRaw (count.eq (scalar 1.0))
            let two = Value.ofRaw (count.eq (scalar 2.0))
            let otherZero = sub (sumDim d true (where z x zeros)) x
            where one ones (where two otherZero zeros)

        where z (mul nonzeroProduct otherZeros) (div (mul zeroProduct nonzeroProduct) safe)

/// Product of all elements, or along `dim` (keeping it as size 1 if `keepDim`).
let prod (dim: int option) (keepDim: bool) (x: Value) : Value =
    requireNumeric "prod" x

    match dim with
    | None -> overAll (fun d x -> prodAlong d false x) x
    | Some dim -> alongDim "prod" dim (fun d x -> prodAlong d keepDim x) x
