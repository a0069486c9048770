namespace Functional

open Functional.Ad
open Functional.Raw

/// Differentiation of functions of a parameter tree: `DiffParams.grad loss p` is `Diff.grad` with a
/// `Params` input, and returns a `Params` of the same structure. Every tensor of the tree is an input of
/// the same differentiation call (one tag, one reverse sweep for all of them), so calls nest with each
/// other and with `Diff` in any order.
module DiffParams =
    let private requireFloat (op: string) (p: Params) =
        for path, t in Params.toList p do
            if not t.Dtype.IsFloatingPoint then
                Errors.fail
                    op
                    $"'{path}' has dtype {t.Dtype}, which carries no derivative"
                    "Convert it to a floating-point dtype, or keep it out of the differentiated tree."

    let private requireDirection (op: string) (p: Params) (v: Params) =
        if not (Params.sameStructure p v) then
            Errors.fail
                op
                $"the direction has paths and shapes {Params.toList v |> List.map (fun (n, t) -> n, t.Shape)} but the point has {Params.toList p |> List.map (fun (n, t) -> n, t.Shape)}"
                "Pass a direction with the same structure as the parameters (e.g. from Params.map)."

    let private requireScalar (op: string) (y: Tensor) =
        if y.NumElements <> 1 then
            Errors.invalid
                op
                $"the function must return a scalar, but it returned shape {Errors.shapeText (Value.raw y.Value).shape}"
                "Reduce the output (e.g. Tensor.sum) or use DiffParams.vjp for non-scalar functions."

    let private keep (p: Params) =
        Params.tensors p |> Seq.map (fun t -> Value.raw t.Value)

    /// Runs f on a copy of p whose tensors are reverse-mode inputs of one fresh tag.
    let private reverse (op: string) (f: Params -> Tensor) (p: Params) =
        requireFloat op p
        let tag = Value.newTag ()
        let inputs = Params.map (fun t -> Tensor(Value.reverseInput tag t.Value)) p

        let leaves =
            Params.tensors inputs
            |> List.map (fun t ->
                match t.Value with
                | Rev(_, node, _) -> node
                | _ -> null)
            |> Array.ofList

        // Retained: a Diff call nested in f must not free the intermediates that vjp's pullback uses later.
        tag, leaves, Memory.Retained(fun () -> f inputs)

    /// The cotangents of every tensor of p, as a tree (zeros where the output does not depend on one).
    let private pull (tag: int) (leaves: Node[]) (p: Params) (y: Tensor) (u: Tensor) : Params =
        let gs = Sweep.backward tag y.Value u.Value leaves

        Params.tensors p
        |> List.mapi (fun i t ->
            match gs[i] with
            | ValueSome g -> Tensor g
            | ValueNone -> Diff.zerosLike t)
        |> Params.withTensors p

    /// (f p, ∇f(p)) for a scalar-valued f of a tree; the gradient has the structure of p (reverse mode).
    let valueAndGrad (f: Params -> Tensor) (p: Params) : Tensor * Params =
        Memory.Scoped(
            (fun () ->
                let tag, leaves, y = reverse "DiffParams.grad" f p
                requireScalar "DiffParams.grad" y
                let value = Tensor(Value.primalAt tag y.Value)
                value, pull tag leaves p y (Tensor(Ops.Define.onesLike (Value.stripAll y.Value)))),
            fun (v, g) -> Seq.append [ Value.raw v.Value ] (keep g)
        )

    /// ∇f(p) for a scalar-valued f of a tree, with the structure of p (reverse mode).
    let grad (f: Params -> Tensor) (p: Params) : Params = snd (valueAndGrad f p)

    /// (f p, u -> Jᵀ u): the value and the pullback of f at p; the pullback returns a tree shaped like p
    /// and may be called many times.
    let vjp (f: Params -> Tensor) (p: Params) : Tensor * (Tensor -> Params) =
        let tag, leaves, y = reverse "DiffParams.vjp" f p
        let value = Tensor(Value.primalAt tag y.Value)

        let pullback (u: Tensor) =
            Diff.requireSameShape "DiffParams.vjp pullback" value u
            Memory.Scoped((fun () -> pull tag leaves p y u), keep)

        value, pullback

    /// (f p, J v) for a function from trees to trees: the value and the directional derivative along the
    /// tree v (forward mode); both results have the structure of f's output.
    let jvpTree (f: Params -> Params) (p: Params) (v: Params) : Params * Params =
        requireFloat "DiffParams.jvp" p
        requireDirection "DiffParams.jvp" p v

        Memory.Scoped(
            (fun () ->
                let tag = Value.newTag ()

                let out =
                    f (Params.map2 (fun x dx -> Tensor(Value.forwardInput tag x.Value dx.Value)) p v)

                let primal =
                    out
                    |> Params.map (fun y ->
                        match y.Value with
                        | Fwd(y0, _, t) when t = tag -> Tensor y0
                        | _ -> y)

                let tangent =
                    out
                    |> Params.map (fun y ->
                        match y.Value with
                        | Fwd(_, dy, t) when t = tag -> Tensor dy
                        | _ -> Diff.zerosLike y)

                primal, tangent),
            fun (a, b) -> Seq.append (keep a) (keep b)
        )

    /// (f p, J v) for a function of a tree and a direction v of the same structure (forward mode).
    let jvp (f: Params -> Tensor) (p: Params) (v: Params) : Tensor * Tensor =
        match jvpTree (f >> Params.leaf) p v with
        | Leaf y, Leaf dy -> y, dy
        | _ -> invalidOp "DiffParams.jvp: a leaf function returned a group"

    /// The Hessian-vector product H v of a scalar f of a tree, with the structure of p
    /// (forward-over-reverse).
    let hvp (f: Params -> Tensor) (p: Params) (v: Params) : Params = snd (jvpTree (grad f) p v)

    /// The Hessian of a scalar f of a tree as an [n; n] matrix over `Params.flatten p` (n = `Params.count p`).
    let hessian (f: Params -> Tensor) (p: Params) : Tensor =
        Diff.hessian (fun v -> f (Params.unflatten p v)) (Params.flatten p)
