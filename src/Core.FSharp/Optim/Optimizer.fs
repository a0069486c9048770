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

    /// One optimization step: (new params, new state) from gradients; intermediates are freed when it
    /// returns. Differentiable: inside a `Diff` call the results carry derivatives (e.g. w.r.t. the learning rate).
    let step (opt: Optimizer) (grads: Params) (state: Params) (parameters: Params) : Params * Params =
        Memory.Scoped(
            (fun () ->
                let updates, state = opt.Update grads state parameters
                applyUpdates parameters updates, state),
            fun (p, s) -> keep [ p; s ]
        )

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
