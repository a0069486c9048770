/// Shape oracles for the fuzzed ops: the result shape a successful call must have, or that the call must
/// fail (dimensions out of range, shapes that do not broadcast), computed independently of the library.
module Functional.Tests.Fuzz.Oracle

open Functional.Tests.Fuzz.FuzzCase

/// True if `d` is a valid dimension of a tensor of rank `rank` (a rank-0 tensor accepts 0 and -1).
let validDim (rank: int) (d: int) =
    let r = max rank 1
    d >= -r && d < r

/// `d` in [0, rank) for a valid dimension.
let normDim (rank: int) (d: int) = if d < 0 then d + max rank 1 else d

/// The NumPy broadcast of two shapes, if they broadcast.
let broadcast (a: int[]) (b: int[]) : int[] option =
    let n = max a.Length b.Length

    let pad (s: int[]) =
        Array.append (Array.create (n - s.Length) 1) s

    let a, b = pad a, pad b

    if Array.forall2 (fun x y -> x = y || x = 1 || y = 1) a b then
        Some(Array.map2 (fun x y -> if x = 1 then y else x) a b)
    else
        None

/// A shape as the library's messages write it: `[2; 3]`.
let shapeText (s: int[]) = "[" + System.String.Join("; ", s) + "]"

/// The expected result of an elementwise op on two broadcast operands: shapes that do not broadcast must
/// be rejected with a message that shows both.
let broadcastExpect (a: int[]) (b: int[]) =
    match broadcast a b with
    | Some s -> ShapeIfOk s
    | None -> FailsNaming [ shapeText a; shapeText b ]

/// The shape of a reduction over `dim` (None: all elements).
let reduced (shape: int[]) (dim: int option) (keepDim: bool) =
    match dim with
    | None -> ShapeIfOk [||]
    | Some d when not (validDim shape.Length d) -> Fails
    | Some _ when shape.Length = 0 -> ShapeIfOk [||]
    | Some d ->
        let d = normDim shape.Length d

        if keepDim then
            ShapeIfOk(shape |> Array.mapi (fun i n -> if i = d then 1 else n))
        else
            ShapeIfOk(Array.removeAt d shape)

/// The result of an op along `dim` that keeps the shape (softmax).
let alongDim (shape: int[]) (dim: int) =
    if validDim shape.Length dim then ShapeIfOk shape else Fails

/// The shape of `reshape shape target` (one -1 is inferred).
let reshaped (shape: int[]) (target: int list) =
    let n = Array.fold (*) 1 shape
    let t = Array.ofList target
    let inferred = t |> Array.filter ((=) -1) |> Array.length
    let known = t |> Array.filter ((<>) -1) |> Array.fold (*) 1

    if inferred > 1 || t |> Array.exists (fun d -> d < -1) then
        Fails
    elif inferred = 1 then
        if known > 0 && n % known = 0 then
            ShapeIfOk(t |> Array.map (fun d -> if d = -1 then n / known else d))
        else
            Fails
    elif known = n then
        ShapeIfOk t
    else
        FailsNaming [ shapeText shape ]

/// The shape of a convolution-like sliding window output: ⌊(s + 2p - d(k - 1) - 1) / stride⌋ + 1.
let windowOut (s: int) (k: int) (stride: int) (p: int) (d: int) =
    (s + 2 * p - d * (k - 1) - 1) / stride + 1
