/// The moment updates of Adam-like optimizers. Written in Tensor ops, so that they stay differentiable
/// (meta-learning through an optimizer step); when no input carries a derivative, as in ordinary training,
/// each is a couple of fused libtorch kernels instead of a chain of elementwise ops, with the arithmetic
/// of torch.optim.Adam.
module internal Functional.FusedMoments

open TorchSharp
open Functional
open Functional.Ad
open Functional.Ops

let private anyDifferentiable (ts: Tensor list) =
    ts |> List.exists (fun t -> t.IsDifferentiable)

let private fused (name: string) (forward: Raw[] -> Raw) (inputs: Tensor list) : Tensor =
    Tensor(Define.constant name forward (inputs |> List.map (fun t -> t.Value) |> Array.ofList))

/// β·m + (1 - β)·u: an exponential moving average of the updates.
let average (beta: float) (m: Tensor) (u: Tensor) : Tensor =
    if anyDifferentiable [ m; u ] then
        beta * m + (1.0 - beta) * u
    else
        fused
            "scaleByAdam"
            (fun r ->
                use weight = torch.tensor (1.0 - beta, dtype = r[0].dtype, device = r[0].device)
                r[0].lerp(r[1], weight))
            [ m; u ]

/// β·v + (1 - β)·u²: an exponential moving average of the squared updates.
let averageOfSquares (beta: float) (v: Tensor) (u: Tensor) : Tensor =
    if anyDifferentiable [ v; u ] then
        beta * v + (1.0 - beta) * (u * u)
    else
        fused
            "scaleByAdam"
            (fun r ->
                let out = r[0].mul(Define.scalar beta)
                out.addcmul_ (r[1], r[1], Define.scalar (1.0 - beta)))
            [ v; u ]

/// Adam's direction from the moments: (m / c1) / (√(v / c2 + εroot) + ε), c1 and c2 the bias corrections.
let adamDirection (c1: float) (c2: float) (epsRoot: float) (eps: float) (m: Tensor) (v: Tensor) : Tensor =
    if anyDifferentiable [ m; v ] then
        (m / c1) / (Tensor.sqrt (v / c2 + epsRoot) + eps)
    else
        fused
            "scaleByAdam"
            (fun r ->
                use denominator =
                    if epsRoot = 0.0 then
                        r[1].sqrt().div_(Define.scalar (sqrt c2))
                    else
                        r[1]
                            .div(Define.scalar c2)
                            .add_(Define.scalar epsRoot, Functional.Raw.Scalars.One)
                            .sqrt_()

                denominator.add_ (Define.scalar eps, Functional.Raw.Scalars.One) |> ignore
                let out = r[0].div denominator
                out.div_ (Define.scalar c1))
            [ m; v ]

/// Where weight decay enters Adam: nowhere, added to the gradient (torch.optim.Adam's L2) or decoupled
/// (torch.optim.AdamW).
type internal AdamDecay =
    | NoDecay
    | Coupled of float
    | Decoupled of float

/// The learning rate a `Transform.scaleByLearningRate` state applies next, as a number; None for a tensor
/// rate that carries a derivative.
let private rateNow (lr: Rate) (state: Params) : float option =
    let count =
        if lr.IsScheduled then
            OptimHelpers.countField "count" state
        else
            0

    match lr.Kind with
    | RateKind.Number c -> Some c
    | RateKind.Schedule f -> Some(f count)
    | _ ->
        let value = lr.At count

        if value.IsDifferentiable || value.NumElements <> 1 then
            None
        else
            Some(value.ToDouble())

/// True when some tensor of the tree carries a derivative.
let rec private anyDifferentiableIn (p: Params) : bool =
    match p with
    | Leaf t -> t.IsDifferentiable
    | Group children -> children |> List.exists (snd >> anyDifferentiableIn)

/// True when both trees have the same names in the same order (shapes are not compared).
let rec private sameNames (p: Params) (q: Params) : bool =
    match p, q with
    | Leaf _, Leaf _ -> true
    | Group xs, Group ys ->
        xs.Length = ys.Length
        && List.forall2 (fun (a, x) (b, y) -> a = b && sameNames x y) xs ys
    | _ -> false

/// The trees (θ', m', v') of a per-tensor step (g, m, v, θ) -> (m', v', θ') over four trees of one
/// structure (`sameNames`), in one walk and in the order of `Params.tensors`.
let rec private stepTrees
    (step: Tensor -> Tensor -> Tensor -> Tensor -> Tensor * Tensor * Tensor)
    (g: Params)
    (m: Params)
    (v: Params)
    (theta: Params)
    : Params * Params * Params =
    match g, m, v, theta with
    | Leaf g, Leaf m, Leaf v, Leaf t ->
        let m', v', t' = step g m v t
        Leaf t', Leaf m', Leaf v'
    | Group gs, Group ms, Group vs, Group ts ->
        let rec walk gs ms vs ts thetas mus nus =
            match gs, ms, vs, ts with
            | (_, g) :: gs, (_, m) :: ms, (_, v) :: vs, (name, t) :: ts ->
                let t', m', v' = stepTrees step g m v t
                walk gs ms vs ts ((name, t') :: thetas) ((name, m') :: mus) ((name, v') :: nus)
            | _ -> Group(List.rev thetas), Group(List.rev mus), Group(List.rev nus)

        walk gs ms vs ts [] [] []
    | _ -> invalidOp "FusedMoments.stepTrees: trees of different structures"

/// Adam's whole step for the state of `Transform.chain` over [decay (coupled); scaleByAdam; decay
/// (decoupled); scaleByLearningRate lr] (the decay parts only when used, as `Optim.adam`/`adamW` build it):
/// per tensor m' = β₁m + (1-β₁)g, v' = β₂v + (1-β₂)g², θ' = θ(1 - lr·wd) - (lr/c₁)·m' / (√v'/√c₂ + ε),
/// the arithmetic of torch.optim.Adam(W) in four kernels and three new tensors.
/// `lrPart` is the chain's `Transform.scaleByLearningRate lr`, whose own Update advances its state.
let adamStep
    (beta1: float)
    (beta2: float)
    (eps: float)
    (decay: AdamDecay)
    (lr: Rate)
    (lrPart: Optimizer)
    : FusedStep =
    fun grads state parameters ->
        let child (i: int) =
            OptimHelpers.fieldOrEmpty (string i) state

        let adamAt, lrAt =
            match decay with
            | NoDecay -> 0, 1
            | Coupled _ -> 1, 2
            | Decoupled _ -> 0, 2

        let adam = child adamAt
        let lrState = child lrAt

        let moments =
            match adam with
            | Group [ "count", Leaf _; "mu", mu; "nu", nu ] -> Some(mu, nu)
            | _ -> None

        match moments, rateNow lr lrState with
        | Some(mu, nu), Some rate when
            not (
                anyDifferentiableIn grads
                || anyDifferentiableIn state
                || anyDifferentiableIn parameters
            )
            && sameNames grads parameters
            && sameNames mu parameters
            && sameNames nu parameters
            ->
            let n = OptimHelpers.countField "count" adam + 1
            let c1 = 1.0 - pown beta1 n
            let c2 = 1.0 - pown beta2 n

            let step (grad: Tensor) (m: Tensor) (v: Tensor) (theta: Tensor) =
                let grad =
                    match decay with
                    | Coupled wd -> fused "adam" (fun r -> r[0].add(r[1], Define.scalar wd)) [ grad; theta ]
                    | _ -> grad

                let m' = average beta1 m grad
                let v' = averageOfSquares beta2 v grad

                let theta' =
                    fused
                        "adam"
                        (fun r ->
                            // m'/c₁ / (√v'/√c₂ + ε) = (√c₂/c₁)·m' / (√v' + ε√c₂): one pass less over v'
                            use denominator = r[2].sqrt()

                            denominator.add_ (Define.scalar (eps * sqrt c2), Functional.Raw.Scalars.One)
                            |> ignore

                            let stepSize = rate * sqrt c2 / c1

                            match decay with
                            | Decoupled wd ->
                                let decayed = r[0].mul(Define.scalar (1.0 - rate * wd))
                                decayed.addcdiv_ (r[1], denominator, Define.scalar -stepSize)
                            | _ -> r[0].addcdiv(r[1], denominator, Define.scalar -stepSize))
                        [ theta; m'; v' ]

                m', v', theta'

            let newParams, mu', nu' = stepTrees step grads mu nu parameters

            let adamState =
                Group [ "count", Leaf(OptimHelpers.countTensor n); "mu", mu'; "nu", nu' ]

            // the scaling's state advances as in the generic chain (it ignores the updates it is given)
            let lrState' = snd (lrPart.Update Params.empty lrState parameters)

            let children =
                [
                    for i in 0..lrAt do
                        string i,
                        (if i = adamAt then adamState
                         elif i = lrAt then lrState'
                         else child i)
                ]

            Some(newParams, Group children)
        | _ -> None
