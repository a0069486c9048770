namespace Functional

open Functional.Ad
open Functional.Raw

/// An optimizer (optax's gradient transformation): a pair of pure functions. `Init` makes the state for
/// some parameters; `Update` turns gradients into updates (to add to the parameters) and a new state.
/// The state is a `Params` tree of tensors, so it can be printed, saved and differentiated through.
/// Optimizers compose: `Transform.chain [ Transform.clipByGlobalNorm 1.0; Optim.adam 1e-3 ]`.
type Optimizer =
    {
        /// The initial state for the parameters.
        Init: Params -> Params
        /// grads -> state -> params -> (updates, new state); the new parameters are `params + updates`.
        Update: Params -> Params -> Params -> Params * Params
    }

/// A whole optimizer step, grads -> state -> params -> Some (params', state'), done in fused kernels; None
/// when it does not apply (e.g. something carries a derivative), and the generic `Update` runs instead.
type internal FusedStep = Params -> Params -> Params -> (Params * Params) option

/// Fused steps of the optimizers that have one (`Optim.adam`, `Optim.adamW`), as PyTorch's fused Adam:
/// the same arithmetic as `Update` followed by `applyUpdates`, in fewer passes over memory. Keyed by the
/// optimizer value itself, so an optimizer rebuilt with `{ opt with ... }` runs its generic `Update`.
module internal FusedSteps =
    let private table =
        System.Runtime.CompilerServices.ConditionalWeakTable<Optimizer, FusedStep>()

    /// Attaches a fused step to an optimizer; returns the optimizer.
    let attach (step: FusedStep) (opt: Optimizer) : Optimizer =
        table.AddOrUpdate(opt, step)
        opt

    /// The fused step of an optimizer, if it has one.
    let tryFind (opt: Optimizer) : FusedStep option =
        match table.TryGetValue opt with
        | true, step -> Some step
        | _ -> None

/// Running optimizers: `init`, `update`, `applyUpdates` and the whole `step`.
[<RequireQualifiedAccess>]
module Optimizer =
    let private keep (trees: Params list) =
        trees |> Seq.collect Params.tensors |> Seq.map (fun t -> Value.raw t.Value)

    /// The initial state of `opt` for `parameters`.
    let init (opt: Optimizer) (parameters: Params) : Params = opt.Init parameters

    /// params + updates, tensor by tensor.
    let applyUpdates (parameters: Params) (updates: Params) : Params = parameters + updates

    /// (updates, new state) for gradients `grads`; intermediates are freed when it returns.
    let update (opt: Optimizer) (grads: Params) (state: Params) (parameters: Params) : Params * Params =
        Memory.Scoped((fun () -> opt.Update grads state parameters), fun (u, s) -> keep [ u; s ])

    /// `update` then `applyUpdates`, fused when the optimizer has a fused step that applies.
    let internal stepInScope (opt: Optimizer) (grads: Params) (state: Params) (parameters: Params) =
        let fused =
            FusedSteps.tryFind opt |> Option.bind (fun step -> step grads state parameters)

        match fused with
        | Some result -> result
        | None ->
            let updates, state = opt.Update grads state parameters
            applyUpdates parameters updates, state

    /// One optimization step: (new params, new state) from gradients; intermediates are freed when it
    /// returns. Differentiable: inside a `Diff` call the results carry derivatives (e.g. w.r.t. the learning rate).
    /// Equals `update` + `applyUpdates` up to rounding (Adam's step runs fused kernels when nothing is differentiated).
    let step (opt: Optimizer) (grads: Params) (state: Params) (parameters: Params) : Params * Params =
        Memory.Scoped((fun () -> stepInScope opt grads state parameters), fun (p, s) -> keep [ p; s ])

    /// One step on a loss: (loss before the step, new params, new state), the gradient taken by
    /// `DiffParams.valueAndGrad`.
    let minimizeStep
        (opt: Optimizer)
        (loss: Params -> Tensor)
        (state: Params)
        (parameters: Params)
        : Tensor * Params * Params =
        Memory.Scoped(
            (fun () ->
                let value, grads = DiffParams.valueAndGrad loss parameters
                let p, s = step opt grads state parameters
                value, p, s),
            fun (v, p, s) -> Seq.append [ Value.raw v.Value ] (keep [ p; s ])
        )
