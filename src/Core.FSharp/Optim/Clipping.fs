namespace Functional

open Functional.OptimHelpers

/// Clipping transformations: by value and by global norm.
[<AutoOpen>]
module ClippingTransforms =
    type Transform with
        /// Clamps every element of the updates to [-maxDelta, maxDelta].
        [<CompiledName("ClipByValue")>]
        static member clipByValue(maxDelta: float) : Optimizer =
            if not (maxDelta >= 0.0) then
                Errors.fail "Transform.clipByValue" $"maxDelta is {maxDelta}" "Use a bound >= 0."

            {
                Init = fun _ -> Params.empty
                Update = fun g state _ -> Params.map (fun t -> Tensor.clamp (t, -maxDelta, maxDelta)) g, state
            }

        /// Scales all updates by maxNorm / max(‖u‖, maxNorm), ‖u‖ the L2 norm over every element of every
        /// tensor: the result's global norm is at most maxNorm, and updates within it are unchanged.
        [<CompiledName("ClipByGlobalNorm")>]
        static member clipByGlobalNorm(maxNorm: float) : Optimizer =
            if not (maxNorm > 0.0) then
                Errors.fail "Transform.clipByGlobalNorm" $"maxNorm is {maxNorm}" "Use a bound > 0."

            {
                Init = fun _ -> Params.empty
                Update =
                    fun g state _ ->
                        match Params.tensors g with
                        | [] -> g, state
                        | _ ->
                            let norm = safeNorm (Params.dot g g)
                            let factor = maxNorm / Tensor.maximum (norm, scalarLike norm maxNorm)
                            Params.map (fun t -> t * factor) g, state
            }
