namespace Functional.Ad

open System.Threading
open TorchSharp
open Functional
open Functional.Raw

/// A libtorch tensor used as a plain array (autograd off).
type internal Raw = torch.Tensor

/// A differentiable value: a constant, a forward-mode dual number (primal, tangent) or a reverse-mode
/// node, each perturbation labelled by the tag of the differentiation call that made it. Nesting the
/// cases (a dual whose primal is a node, ...) is what gives derivatives of any order in any mode mix.
[<CustomEquality; NoComparison>]
type internal Value =
    | Const of raw: Raw
    | Fwd of primal: Value * tangent: Value * tag: int
    | Rev of primal: Value * node: Node * tag: int

    override v.Equals(o) = obj.ReferenceEquals(v, o)
    override v.GetHashCode() = LanguagePrimitives.PhysicalHash v

/// A primitive operation: a raw forward plus its derivative rules, both written in `Value` ops so that
/// they are differentiable themselves.
and internal Op =
    {
        /// Name used in error messages.
        Name: string
        /// The forward computation on raw tensors.
        Forward: Raw[] -> Raw
        /// Output tangent from the input tangents: primals -> output -> tangents (ValueNone where an
        /// input carries none at this tag) -> tangent. Linear in the tangents.
        Jvp: Value[] -> Value -> Value voption[] -> Value
        /// Cotangent of input i: primals -> output -> output cotangent -> i -> input cotangent.
        Vjp: Value[] -> Value -> Value -> int -> Value
    }

/// A reverse-mode tape entry: the op applied, its inputs (as seen at this tag) and their primals.
/// A leaf (an input of a differentiation call) has no op.
and [<Sealed; AllowNullLiteral>] internal Node
    (op: Op voption, inputs: Value[], primals: Value[], output: Value) =
    member _.Op = op
    member _.Inputs = inputs
    member _.Primals = primals
    member _.Output = output

/// The core machinery: tags, primals, and applying an op at every nesting level.
module internal Value =
    let mutable private lastTag = 0

    /// A fresh perturbation tag, larger than every tag before it (thread-safe).
    let newTag () = Interlocked.Increment(&lastTag)

    /// The tag of the outermost perturbation of a value (-1 for a constant).
    let inline tagOf (v: Value) =
        match v with
        | Const _ -> -1
        | Fwd(_, _, t)
        | Rev(_, _, t) -> t

    /// Wraps a raw tensor as a constant (tracked for the GC when made outside every scope).
    let ofRaw (r: Raw) = Const(Memory.TrackIfTopLevel r)

    /// `r`, checked not to have been freed (a tensor kept from inside a finished Diff call).
    let inline private live (r: Raw) : Raw =
        if r.IsInvalid then
            Errors.invalid
                "Tensor"
                "this tensor was freed when the differentiation call (or training step) that made it returned"
                "Keep only the results of a Diff call; recompute other values outside it (or return them as part of the result)."

        r

    /// The raw tensor under every perturbation.
    let rec raw (v: Value) : Raw =
        match v with
        | Const r -> live r
        | Fwd(p, _, _)
        | Rev(p, _, _) -> raw p

    /// The value one perturbation level down (itself for a constant).
    let primal (v: Value) =
        match v with
        | Const _ -> v
        | Fwd(p, _, _)
        | Rev(p, _, _) -> p

    /// The value with every perturbation removed.
    let rec stripAll (v: Value) =
        match v with
        | Const _ -> v
        | Fwd(p, _, _)
        | Rev(p, _, _) -> stripAll p

    /// The value as seen at tag `t`: its primal if its outermost tag is `t`, else itself.
    let inline primalAt (t: int) (v: Value) = if tagOf v = t then primal v else v

    /// Sizes of a raw tensor's dimensions: one native call per dimension, ~10x faster than TorchSharp's
    /// `.shape` (which allocates through a native callback); use it in hot code.
    let sizes (r: Raw) : int64[] =
        let s = Array.zeroCreate (int r.ndim)

        for i in 0 .. s.Length - 1 do
            s[i] <- r.size i

        s

    /// Shape of a value.
    let shape (v: Value) : int64[] = sizes (raw v)

    /// Applies a primitive op: computes it at the innermost level and wraps the result once per
    /// perturbation tag present among the inputs, outermost (newest) tag first.
    let rec apply (op: Op) (inputs: Value[]) : Value =
        let mutable tag = -1

        for x in inputs do
            let t = tagOf x

            if t > tag then
                tag <- t

        if tag < 0 then
            let raws = Array.zeroCreate inputs.Length

            for i in 0 .. inputs.Length - 1 do
                raws[i] <-
                    match inputs[i] with
                    | Const r -> live r
                    | _ -> null

            ofRaw (Memory.Run(op.Forward, raws))
        else
            let primals = Array.map (primalAt tag) inputs
            let output = apply op primals
            let mutable isForward = false

            for x in inputs do
                match x with
                | Fwd(_, _, t) when t = tag -> isForward <- true
                | _ -> ()

            if isForward then
                let tangents =
                    inputs
                    |> Array.map (fun x ->
                        match x with
                        | Fwd(_, dx, t) when t = tag -> ValueSome dx
                        | _ -> ValueNone)

                Fwd(output, op.Jvp primals output tangents, tag)
            else
                Rev(output, Node(ValueSome op, inputs, primals, output), tag)

    /// Elementwise sum of two values of the same shape (used to accumulate derivatives).
    and add (a: Value) (b: Value) : Value =
        apply
            {
                Name = "add"
                Forward = fun r -> r[0].add(r[1], Scalars.One)
                Jvp =
                    fun _ _ ts ->
                        match ts[0], ts[1] with
                        | ValueSome a, ValueSome b -> add a b
                        | ValueSome a, _
                        | _, ValueSome a -> a
                        | _ -> invalidOp "add: no tangent"
                Vjp = fun _ _ g _ -> g
            }
            [| a; b |]

    /// Makes `x` an input of a reverse-mode call with tag `t`.
    let reverseInput (t: int) (x: Value) : Value =
        Rev(x, Node(ValueNone, [||], [||], x), t)

    /// Makes `x` a forward-mode input with tangent `dx` and tag `t`.
    let forwardInput (t: int) (x: Value) (dx: Value) : Value = Fwd(x, dx, t)
