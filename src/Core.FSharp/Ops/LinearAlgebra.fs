/// Linear algebra: matrix products (batched, broadcasting).
module internal Functional.Ops.LinearAlgebra

open Functional
open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic

/// Matrix product of two tensors of rank >= 2 with broadcasting batch dimensions: [.., n, k] x [.., k, m].
let rec matmul (a: Value) (b: Value) : Value =
    let sa, sb = Value.shape a, Value.shape b

    if sa.Length < 2 || sb.Length < 2 || sa[sa.Length - 1] <> sb[sb.Length - 2] then
        Errors.fail
            "matmul"
            $"shapes {Errors.shapeText sa} and {Errors.shapeText sb} are not compatible"
            "matmul needs [.., n, k] and [.., k, m]; use dot/outer for vectors or reshape to a matrix."

    binary
        "matmul"
        (fun x y -> x.matmul y)
        (fun a b y i t -> broadcastTo (Value.shape y) (if i = 0 then matmul t b else matmul a t))
        (fun a b _ g i ->
            if i = 0 then
                sumToShape (Value.shape a) (matmul g (Shape.transpose -1 -2 b))
            else
                sumToShape (Value.shape b) (matmul (Shape.transpose -1 -2 a) g))
        a
        b
