/// Small helpers to define primitive ops: one raw forward plus JVP and VJP rules in `Value` ops.
module internal Functional.Ops.Define

open System.Runtime.InteropServices
open TorchSharp
open Functional
open Functional.Ad
open Functional.Raw

/// The shape two shapes broadcast to (NumPy rules); raises an error naming `op` if they do not.
let broadcastShapes (op: string) (a: int64[]) (b: int64[]) : int64[] =
    if a.Length = b.Length && Array.forall2 (=) a b then
        a
    else
        let n = max a.Length b.Length

        Array.init n (fun i ->
            let da = if i < n - a.Length then 1L else a[i - (n - a.Length)]
            let db = if i < n - b.Length then 1L else b[i - (n - b.Length)]

            if da = db || db = 1L then
                da
            elif da = 1L then
                db
            else
                Errors.fail
                    op
                    $"shapes {Errors.shapeText a} and {Errors.shapeText b} cannot be broadcast together (dimension {i}: {da} vs {db})"
                    "Broadcasting needs each trailing dimension to be equal or 1; reshape or unsqueeze one operand.")

/// Runs a raw forward, turning a libtorch error into an ArgumentException that names the op and shapes.
let guarded (name: string) (forward: Raw[] -> Raw) : Raw[] -> Raw =
    fun raws ->
        try
            forward raws
        with :? ExternalException as e ->
            let shapes =
                raws
                |> Array.map (fun r -> if isNull r then "-" else Errors.shapeText r.shape)
                |> String.concat ", "

            let first = e.Message.Split('\n')[0]

            Errors.fail
                name
                $"libtorch rejected inputs of shapes {shapes}: {first}"
                "Check the shapes and dtypes of the arguments."

/// Sums per-input tangent contributions `part i dx_i` over the inputs that carry a tangent.
let sumTangents (tangents: Value voption[]) (part: int -> Value -> Value) : Value =
    let mutable total = ValueNone

    for i in 0 .. tangents.Length - 1 do
        match tangents[i] with
        | ValueSome t ->
            let p = part i t

            total <-
                ValueSome(
                    match total with
                    | ValueSome acc -> Value.add acc p
                    | ValueNone -> p
                )
        | ValueNone -> ()

    match total with
    | ValueSome t -> t
    | ValueNone -> invalidOp "sumTangents: no input carries a tangent"

/// A unary op from its raw forward, JVP (x, y, dx -> dy) and VJP (x, y, g -> dx).
let unary
    (name: string)
    (forward: Raw -> Raw)
    (jvp: Value -> Value -> Value -> Value)
    (vjp: Value -> Value -> Value -> Value)
    (x: Value)
    : Value =
    Value.apply
        {
            Name = name
            Forward = guarded name (fun r -> forward r[0])
            Jvp = fun p y ts -> jvp p[0] y ts[0].Value
            Vjp = fun p y g _ -> vjp p[0] y g
        }
        [| x |]

/// A binary op from its raw forward and per-input rules: JVP (a, b, y, i, dx_i -> dy), VJP (a, b, y, g, i -> dx_i).
let binary
    (name: string)
    (forward: Raw -> Raw -> Raw)
    (jvp: Value -> Value -> Value -> int -> Value -> Value)
    (vjp: Value -> Value -> Value -> Value -> int -> Value)
    (a: Value)
    (b: Value)
    : Value =
    Value.apply
        {
            Name = name
            Forward = guarded name (fun r -> forward r[0] r[1])
            Jvp = fun p y ts -> sumTangents ts (fun i t -> jvp p[0] p[1] y i t)
            Vjp = fun p y g i -> vjp p[0] p[1] y g i
        }
        [| a; b |]

/// An op whose result carries no derivative (comparisons, argmax, rounding): computed on the raw values.
let constant (name: string) (forward: Raw[] -> Raw) (inputs: Value[]) : Value =
    Value.ofRaw (Memory.Run(guarded name forward, Array.map Value.raw inputs))

/// A float as a libtorch scalar, kept alive until the running op returns (see `Scalars`): call it inside
/// a raw forward, never outside one to reuse later.
let scalar (c: float) : Scalar = Scalars.Of c

/// A constant of zeros with the shape, dtype and device of `v`.
let zerosLike (v: Value) : Value =
    Value.ofRaw (TorchSharp.torch.zeros_like (Value.raw v))

/// A constant of ones with the shape, dtype and device of `v`.
let onesLike (v: Value) : Value =
    Value.ofRaw (TorchSharp.torch.ones_like (Value.raw v))

/// libtorch's `where(cond, x, y)`.
let torch_where (cond: Raw) (x: Raw) (y: Raw) : Raw = TorchSharp.torch.where (cond, x, y)
