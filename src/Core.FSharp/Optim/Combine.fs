namespace Functional

open System.Collections.Generic
open Functional.OptimHelpers

/// Combinators of optimizers: `chain`, `maskedBy`, `partition` and gradient `accumulate`.
[<AutoOpen>]
module CombineTransforms =
    type Transform with
        /// Applies the transformations one after the other (the updates of one are the input of the next);
        /// the state is the group of their states, named "0", "1", ...
        [<CompiledName("Chain")>]
        static member chain(parts: Optimizer seq) : Optimizer =
            let parts = Array.ofSeq parts

            {
                Init = fun p -> Group [ for i in 0 .. parts.Length - 1 -> string i, parts[i].Init p ]
                Update =
                    fun g state p ->
                        let mutable updates = g

                        let next =
                            [
                                for i in 0 .. parts.Length - 1 do
                                    let u, s = parts[i].Update updates (fieldOrEmpty (string i) state) p
                                    updates <- u
                                    string i, s
                            ]

                        updates, Group next
            }

        /// Applies `inner` to the tensors for which `select path param` holds; the others' updates pass
        /// through unchanged (e.g. `maskedBy ((fun path _ -> not (path.EndsWith "bias")), addDecayedWeights 1e-4)`).
        [<CompiledName("MaskedBy")>]
        static member maskedBy(select: string -> Tensor -> bool, inner: Optimizer) : Optimizer =
            let chosen (p: Params) =
                let paths = HashSet<string>(Params.filter select p |> Params.paths)
                fun (t: Params) -> Params.filter (fun path _ -> paths.Contains path) t

            {
                Init = fun p -> Group [ "inner", inner.Init(Params.filter select p) ]
                Update =
                    fun g state p ->
                        let pick = chosen p
                        let u, s = inner.Update (pick g) (fieldOrEmpty "inner" state) (pick p)
                        Params.merge g u, Group [ "inner", s ]
            }

        /// Different rules for parameter groups: `label path param` names the group of each tensor, and each
        /// group is updated by the optimizer paired with its label (every label needs one).
        [<CompiledName("Partition")>]
        static member partition
            (label: string -> Tensor -> string, rules: (string * Optimizer) seq)
            : Optimizer =
            let rules = List.ofSeq rules
            let known = rules |> List.map fst |> HashSet

            let check (p: Params) =
                for path, t in Params.toList p do
                    let l = label path t

                    if not (known.Contains l) then
                        Errors.fail
                            "Transform.partition"
                            $"'{path}' has label '{l}', which has no rule"
                            $"Give a rule for every label (rules: {List.ofSeq known})."

            let inner =
                Transform.chain
                    [
                        for l, opt in rules -> Transform.maskedBy ((fun path t -> label path t = l), opt)
                    ]

            {
                Init =
                    fun p ->
                        check p
                        inner.Init p
                Update = inner.Update
            }

        /// Gradient accumulation over k steps (optax's MultiSteps): k - 1 calls return zero updates while the
        /// gradients add up; every k-th call gives `inner` their mean.
        [<CompiledName("Accumulate")>]
        static member accumulate(k: int, inner: Optimizer) : Optimizer =
            if k < 1 then
                Errors.fail "Transform.accumulate" $"k is {k}" "Accumulate over at least 1 step."

            {
                Init =
                    fun p ->
                        Group
                            [
                                "miniStep", Leaf(countTensor 0)
                                "grads", Params.zerosLike p
                                "inner", inner.Init p
                            ]
                Update =
                    fun g state p ->
                        let n = countField "miniStep" state
                        let sum = field "grads" state + g

                        if n + 1 < k then
                            Params.zerosLike g,
                            Group
                                [
                                    "miniStep", Leaf(countTensor (n + 1))
                                    "grads", sum
                                    "inner", fieldOrEmpty "inner" state
                                ]
                        else
                            let u, s = inner.Update (sum / float k) (fieldOrEmpty "inner" state) p

                            u,
                            Group [ "miniStep", Leaf(countTensor 0); "grads", Params.zerosLike g; "inner", s ]
            }
