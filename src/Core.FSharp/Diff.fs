namespace Functional

open Functional.Ad
open Functional.Ops
open Functional.Raw

/// Differentiation: every call takes a fresh perturbation tag, so calls nest freely in any order of
/// forward and reverse mode without confusing perturbations. Intermediates are freed when the
/// outermost call returns; only the results survive.
module Diff =
    let internal requireFloat (op: string) (x: Tensor) =
        if not x.Dtype.IsFloatingPoint then
            Errors.fail
                op
                $"the input has dtype {x.Dtype}, which carries no derivative"
                "Convert it first, e.g. Tensor.create(data, Float32) or x.ToDtype Float32."

    let internal requireSameShape (op: string) (x: Tensor) (v: Tensor) =
        if x.Shape <> v.Shape then
            Errors.fail
                op
                $"the tangent/cotangent has shape {Errors.shapeText (Value.raw v.Value).shape} but the point has shape {Errors.shapeText (Value.raw x.Value).shape}"
                "Pass a direction of the same shape as the input (or of the output, for a cotangent)."

    let internal requireSameDtype (op: string) (x: Tensor) (v: Tensor) =
        if x.Dtype <> v.Dtype then
            Errors.fail
                op
                $"the tangent/cotangent has dtype {v.Dtype} (shape {Errors.shapeText (Value.raw v.Value).shape}) but the point has dtype {x.Dtype}"
                "Pass a direction of the same dtype as the input (or of the output, for a cotangent), e.g. v.ToDtype x.Dtype."

    /// Runs `body` in a memory scope, keeping the raw tensors of the result tensors.
    let internal scoped (body: unit -> 'T) (results: 'T -> Tensor list) : 'T =
        Memory.Scoped(body, fun r -> results r |> Seq.map (fun t -> (Value.raw t.Value)))

    let internal wrap (v: Value) = Tensor v

    let internal zerosLike (x: Tensor) =
        Tensor(Define.zerosLike (Value.stripAll x.Value))

    /// (f x, J v): the value and the Jacobian-vector product (forward mode).
    let jvp (f: Tensor -> Tensor) (x: Tensor) (v: Tensor) : Tensor * Tensor =
        requireFloat "Diff.jvp" x
        requireSameShape "Diff.jvp" x v
        requireSameDtype "Diff.jvp" x v

        scoped
            (fun () ->
                let tag = Value.newTag ()
                let y = f (Tensor(Value.forwardInput tag x.Value v.Value))

                match y.Value with
                | Fwd(p, t, tg) when tg = tag -> Tensor p, Tensor t
                | _ -> y, zerosLike y)
            (fun (a, b) -> [ a; b ])

    /// Derivative of a function of a scalar: f'(x) (any output shape).
    let diff (f: Tensor -> Tensor) (x: Tensor) : Tensor =
        if x.NumElements <> 1 then
            Errors.fail
                "Diff.diff"
                $"x has shape {Errors.shapeText (Value.raw x.Value).shape}; diff needs a scalar input"
                "Use Diff.jvp for a directional derivative or Diff.grad for a scalar function of a tensor."

        snd (jvp f x (Tensor(Define.onesLike (Value.stripAll x.Value))))

    /// The n-th derivative of a function of a scalar (n = 0 gives f x).
    let rec diffn (n: int) (f: Tensor -> Tensor) (x: Tensor) : Tensor =
        if n < 0 then
            Errors.fail "Diff.diffn" $"order {n} is negative" "Use an order >= 0."
        elif n = 0 then
            f x
        else
            diff (diffn (n - 1) f) x

    let private reverse (op: string) (f: Tensor -> Tensor) (x: Tensor) =
        requireFloat op x
        let tag = Value.newTag ()
        let input = Value.reverseInput tag x.Value

        let leaf =
            match input with
            | Rev(_, n, _) -> n
            | _ -> null

        let y = Memory.Retained(fun () -> f (Tensor input))
        tag, leaf, y

    let private pull (tag: int) (leaf: Node) (x: Tensor) (y: Tensor) (u: Tensor) =
        match (Sweep.backward tag y.Value u.Value [| leaf |])[0] with
        | ValueSome g -> Tensor g
        | ValueNone -> zerosLike x

    let private requireScalar (op: string) (y: Tensor) =
        if y.NumElements <> 1 then
            Errors.invalid
                op
                $"the function must return a scalar, but it returned shape {Errors.shapeText (Value.raw y.Value).shape}"
                "Reduce the output (e.g. Tensor.sum) or use Diff.vjp / Diff.jacobian for non-scalar functions."

    /// (f x, ∇f(x)) for a scalar-valued f (reverse mode).
    let valueAndGrad (f: Tensor -> Tensor) (x: Tensor) : Tensor * Tensor =
        scoped
            (fun () ->
                let tag, leaf, y = reverse "Diff.grad" f x
                requireScalar "Diff.grad" y
                let value = Tensor(Value.primalAt tag y.Value)
                value, pull tag leaf x y (Tensor(Define.onesLike (Value.stripAll y.Value))))
            (fun (a, b) -> [ a; b ])

    /// ∇f(x) for a scalar-valued f (reverse mode).
    let grad (f: Tensor -> Tensor) (x: Tensor) : Tensor = snd (valueAndGrad f x)

    /// (f x, u -> Jᵀ u): the value and the pullback (reverse mode); the pullback may be called many times.
    let vjp (f: Tensor -> Tensor) (x: Tensor) : Tensor * (Tensor -> Tensor) =
        let tag, leaf, y = reverse "Diff.vjp" f x
        let value = Tensor(Value.primalAt tag y.Value)

        let pullback (u: Tensor) =
            requireSameShape "Diff.vjp pullback" value u
            requireSameDtype "Diff.vjp pullback" value u
            scoped (fun () -> pull tag leaf x y u) (fun g -> [ g ])

        value, pullback

    let private basis (x: Tensor) (i: int) =
        Tensor(Value.ofRaw (Create.basis (Value.shape x.Value) i x.Dtype x.Device))

    let private flatten (t: Tensor) = Tensor(Shape.reshape [| -1L |] t.Value)

    /// Zeros of shape `outer @ inner` (a Jacobian with no entries).
    let private emptyJacobian (outer: int64[]) (inner: int64[]) (like: Tensor) =
        Tensor(Value.ofRaw (Create.full (Array.append outer inner) 0.0 like.Dtype like.Device))

    /// A zero of `x`'s dtype (the sum of no terms).
    let private zeroScalar (x: Tensor) =
        Tensor(Value.ofRaw (Create.full [||] 0.0 x.Dtype x.Device))

    let private assemble (rows: Tensor list) (outer: int64[]) (inner: int64[]) =
        let stacked =
            Shape.stack 0 (rows |> List.map (fun r -> (flatten r).Value) |> Array.ofList)

        Tensor(Shape.reshape (Array.append outer inner) stacked)

    /// The Jacobian by reverse mode (one pullback per output element): shape = output shape @ input shape.
    let jacrev (f: Tensor -> Tensor) (x: Tensor) : Tensor =
        scoped
            (fun () ->
                let y, pullback = vjp f x

                if y.NumElements = 0 then
                    emptyJacobian (Value.raw y.Value).shape (Value.raw x.Value).shape y
                else
                    let rows = [ for i in 0 .. y.NumElements - 1 -> pullback (basis y i) ]
                    assemble rows (Value.raw y.Value).shape (Value.raw x.Value).shape)
            (fun j -> [ j ])

    /// The Jacobian by forward mode (one JVP per input element): shape = output shape @ input shape.
    let jacfwd (f: Tensor -> Tensor) (x: Tensor) : Tensor =
        scoped
            (fun () ->
                if x.NumElements = 0 then
                    let y = fst (jvp f x x)
                    emptyJacobian (Value.raw y.Value).shape (Value.raw x.Value).shape y
                else
                    let columns = [ for j in 0 .. x.NumElements - 1 -> jvp f x (basis x j) ]
                    let y = fst columns.Head

                    let byColumn =
                        assemble (List.map snd columns) [| int64 x.NumElements |] (Value.raw y.Value).shape
                    // [n; out...] -> [out...; n] -> out @ in
                    let n = int64 x.NumElements
                    let m = int64 y.NumElements
                    let t = Shape.transpose 0 1 (Shape.reshape [| n; m |] byColumn.Value)

                    Tensor(
                        Shape.reshape (Array.append (Value.raw y.Value).shape (Value.raw x.Value).shape) t
                    ))
            (fun j -> [ j ])

    /// The Jacobian of f: [m; n] for f: Rⁿ -> Rᵐ (in general output shape @ input shape); picks the
    /// cheaper mode (forward when n <= m).
    let jacobian (f: Tensor -> Tensor) (x: Tensor) : Tensor =
        let m = (fst (jvp f x (zerosLike x))).NumElements
        if x.NumElements <= m then jacfwd f x else jacrev f x

    /// Hessian-vector product H v of a scalar f (forward-over-reverse).
    let hvp (f: Tensor -> Tensor) (x: Tensor) (v: Tensor) : Tensor = snd (jvp (grad f) x v)

    /// The Hessian of a scalar f: [n; n] (input shape @ input shape), by forward-over-reverse.
    let hessian (f: Tensor -> Tensor) (x: Tensor) : Tensor = jacfwd (grad f) x

    /// The Laplacian Σᵢ ∂²f/∂xᵢ² of a scalar f (trace of the Hessian, one HVP per element).
    let laplacian (f: Tensor -> Tensor) (x: Tensor) : Tensor =
        scoped
            (fun () ->
                let g = grad f

                if x.NumElements = 0 then
                    g x |> ignore // checks f (a scalar function of a float tensor)
                    zeroScalar x
                else
                    [
                        for i in 0 .. x.NumElements - 1 ->
                            let e = basis x i
                            Tensor(Reductions.sum (Arithmetic.mul (snd (jvp g x e)).Value e.Value))
                    ]
                    |> List.reduce (fun a b -> Tensor(Arithmetic.add a.Value b.Value)))
            (fun l -> [ l ])

    /// The divergence Σᵢ ∂fᵢ/∂xᵢ of a vector field f: Rⁿ -> Rⁿ (trace of the Jacobian).
    let divergence (f: Tensor -> Tensor) (x: Tensor) : Tensor =
        scoped
            (fun () ->
                let y = fst (jvp f x x)

                if y.NumElements <> x.NumElements then
                    Errors.fail
                        "Diff.divergence"
                        $"f returned shape {Errors.shapeText (Value.raw y.Value).shape} for an input of shape {Errors.shapeText (Value.raw x.Value).shape}"
                        "The divergence is defined for vector fields f: R^n -> R^n (as many outputs as inputs)."

                if x.NumElements = 0 then
                    zeroScalar x
                else
                    [
                        for i in 0 .. x.NumElements - 1 ->
                            let e = basis x i
                            let _, col = jvp f x e

                            Tensor(
                                Reductions.sum (
                                    Arithmetic.mul
                                        (Shape.reshape ((Value.raw x.Value).shape) col.Value)
                                        e.Value
                                )
                            )
                    ]
                    |> List.reduce (fun a b -> Tensor(Arithmetic.add a.Value b.Value)))
            (fun d -> [ d ])

    /// The curl ∇ × f of a vector field f: R³ -> R³.
    let curl (f: Tensor -> Tensor) (x: Tensor) : Tensor =
        if x.Shape <> [| 3 |] then
            Errors.fail
                "Diff.curl"
                $"x has shape {Errors.shapeText (Value.raw x.Value).shape}"
                "curl is defined for f: R^3 -> R^3; pass a vector of 3 elements."

        scoped
            (fun () ->
                let j = jacfwd f x

                if j.Shape <> [| 3; 3 |] then
                    Errors.fail
                        "Diff.curl"
                        $"f returned shape {Errors.shapeText (Value.raw j.Value).shape[.. j.Rank - 2]} for an input of shape [3]"
                        "curl is defined for f: R^3 -> R^3; f must return a vector of 3 elements."

                let at r c =
                    Shape.select 0 (int64 c) (Shape.select 0 (int64 r) j.Value)

                let d (r: int) (c: int) (r2: int) (c2: int) = Arithmetic.sub (at r c) (at r2 c2)
                Tensor(Shape.stack 0 [| d 2 1 1 2; d 0 2 2 0; d 1 0 0 1 |]))
            (fun c -> [ c ])

    /// The same value with every derivative removed (a constant for all enclosing calls).
    let stopGradient (x: Tensor) : Tensor = Tensor(Value.stripAll x.Value)

    /// (f xs, Σᵢ Jᵢ vᵢ) for a function of several tensors: a JVP along `vs` (None holds an argument fixed).
    let jvpArgs (f: Tensor[] -> Tensor) (xs: Tensor[]) (vs: Tensor option[]) : Tensor * Tensor =
        if xs.Length <> vs.Length then
            Errors.fail
                "Diff.jvpArgs"
                $"{xs.Length} arguments but {vs.Length} directions"
                "Pass one direction (or None) per argument."

        Array.iter2
            (fun x v ->
                match v with
                | Some v ->
                    requireFloat "Diff.jvpArgs" x
                    requireSameShape "Diff.jvpArgs" x v
                    requireSameDtype "Diff.jvpArgs" x v
                | None -> ())
            xs
            vs

        scoped
            (fun () ->
                let tag = Value.newTag ()

                let inputs =
                    Array.map2
                        (fun (x: Tensor) v ->
                            match v with
                            | Some(v: Tensor) -> Tensor(Value.forwardInput tag x.Value v.Value)
                            | None -> x)
                        xs
                        vs

                let y = f inputs

                match y.Value with
                | Fwd(p, t, tg) when tg = tag -> Tensor p, Tensor t
                | _ -> y, zerosLike y)
            (fun (a, b) -> [ a; b ])

    /// (f xs, u -> [Jᵢᵀ u]) for a function of several tensors; arguments that are not floating point
    /// (indices, masks) are held fixed and get a zero cotangent.
    let vjpArgs (f: Tensor[] -> Tensor) (xs: Tensor[]) : Tensor * (Tensor -> Tensor[]) =
        let tag = Value.newTag ()

        let inputs =
            xs
            |> Array.map (fun x ->
                if x.Dtype.IsFloatingPoint then
                    Value.reverseInput tag x.Value
                else
                    x.Value)

        let leaves =
            inputs
            |> Array.map (fun v ->
                match v with
                | Rev(_, n, t) when t = tag -> n
                | _ -> null)

        let y = Memory.Retained(fun () -> f (Array.map Tensor inputs))
        let value = Tensor(Value.primalAt tag y.Value)

        let pullback (u: Tensor) =
            requireSameShape "Diff.vjpArgs pullback" value u
            requireSameDtype "Diff.vjpArgs pullback" value u

            scoped
                (fun () ->
                    let found =
                        Sweep.backward tag y.Value u.Value (leaves |> Array.filter (isNull >> not))

                    let mutable k = 0

                    Array.map2
                        (fun (x: Tensor) (leaf: Node) ->
                            if isNull leaf then
                                zerosLike x
                            else
                                let g = found[k]
                                k <- k + 1

                                match g with
                                | ValueSome g -> Tensor g
                                | ValueNone -> zerosLike x)
                        xs
                        leaves)
                List.ofArray

        value, pullback

    /// Fails unless a user rule's result `got` has the shape and dtype of `expected`.
    let private requireMatching (op: string) (rule: string) (what: string) (expected: Tensor) (got: Tensor) =
        if got.Shape <> expected.Shape || got.Dtype <> expected.Dtype then
            Errors.fail
                op
                $"{rule} returned {got.Dtype} of shape {Errors.shapeText (Value.raw got.Value).shape}, but {what} is {expected.Dtype} of shape {Errors.shapeText (Value.raw expected.Value).shape}"
                $"Make {rule} return a tensor like {what}."

    /// `f` with a user-given reverse-mode rule `pullback x y u = Jᵀu` (written in Tensor ops, so it is
    /// itself differentiable). Forward mode differentiates `f` itself.
    let customVjp (f: Tensor -> Tensor) (pullback: Tensor -> Tensor -> Tensor -> Tensor) : Tensor -> Tensor =
        let forwardOf (x: Value) (dx: Value) =
            let tag = Value.newTag ()

            match (f (Tensor(Value.forwardInput tag x dx))).Value with
            | Fwd(_, t, tg) when tg = tag -> t
            | y -> Define.zerosLike y

        fun x ->
            Tensor(
                Value.apply
                    {
                        Name = "customVjp"
                        Forward = fun r -> Value.raw (f (Tensor(Const r[0]))).Value
                        Jvp = fun p _ ts -> forwardOf p[0] ts[0].Value
                        Vjp =
                            fun p y g _ ->
                                let dx = pullback (Tensor p[0]) (Tensor y) (Tensor g)
                                requireMatching "Diff.customVjp" "the pullback" "the input" (Tensor p[0]) dx
                                dx.Value
                    }
                    [| x.Value |]
            )

    /// `f` with a user-given forward-mode rule `pushforward x dx = J dx` (written in Tensor ops).
    /// Reverse mode differentiates `f` itself.
    let customJvp (f: Tensor -> Tensor) (pushforward: Tensor -> Tensor -> Tensor) : Tensor -> Tensor =
        let reverseOf (x: Value) (g: Value) =
            let tag = Value.newTag ()
            let input = Value.reverseInput tag x

            let leaf =
                match input with
                | Rev(_, n, _) -> n
                | _ -> null

            let y = f (Tensor input)

            match (Sweep.backward tag y.Value g [| leaf |])[0] with
            | ValueSome d -> d
            | ValueNone -> Define.zerosLike x

        fun x ->
            Tensor(
                Value.apply
                    {
                        Name = "customJvp"
                        Forward = fun r -> Value.raw (f (Tensor(Const r[0]))).Value
                        Jvp =
                            fun p y ts ->
                                let dy = pushforward (Tensor p[0]) (Tensor ts[0].Value)
                                requireMatching "Diff.customJvp" "the pushforward" "the output" (Tensor y) dy
                                dy.Value
                        Vjp = fun p _ g _ -> reverseOf p[0] g
                    }
                    [| x.Value |]
            )
