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
        let g = Params.toList grads
        let p = Params.toList parameters

        let moments =
            match adam with
            | Group [ "count", Leaf _; "mu", mu; "nu", nu ] -> Some(Params.toList mu, Params.toList nu)
            | _ -> None

        let everything =
            Params.tensors grads @ Params.tensors state @ Params.tensors parameters

        match moments, rateNow lr lrState with
        | Some(mu, nu), Some rate when
            not (anyDifferentiable everything)
            && List.map fst g = List.map fst p
            && List.map fst mu = List.map fst p
            && List.map fst nu = List.map fst p
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

            let results =
                List.zip (List.zip g p) (List.zip mu nu)
                |> List.map (fun (((path, grad), (_, theta)), ((_, m), (_, v))) -> path, step grad m v theta)

            let pick (choose: Tensor * Tensor * Tensor -> Tensor) =
                Params.withTensors parameters (results |> List.map (snd >> choose))

            let newParams = pick (fun (_, _, t) -> t)
            let mu' = pick (fun (m, _, _) -> m)
            let nu' = pick (fun (_, v, _) -> v)

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
