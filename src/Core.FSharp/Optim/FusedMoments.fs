/// The moment updates of Adam-like optimizers. Written in Tensor ops, so that they stay differentiable
/// (meta-learning through an optimizer step); when no input carries a derivative, as in ordinary training,
/// each is a couple of fused libtorch kernels instead of a chain of elementwise ops, with the arithmetic
/// of torch.optim.Adam.
module internal Functional.FusedMoments

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
                let out = r[0].mul(Define.scalar beta)
                out.add_ (r[1], Define.scalar (1.0 - beta)))
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
