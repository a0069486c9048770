namespace Functional

/// Layers that only change the shape of each example.
[<AutoOpen>]
module ReshapeLayers =
    type Layers with
        /// Flattens each example into a vector: [d₁; d₂; ...] -> [d₁·d₂⋯] (PyTorch's Flatten).
        static member flatten =
            Model.create "Flatten" (fun _ shape -> Params.empty, [| Array.fold (*) 1 shape |]) (fun _ x ->
                if x.Rank < 1 then
                    Errors.fail "flatten" "expected a batch (rank 1 or more), got a scalar" "Pass a batch."

                Tensor.flatten (x, 1))

        /// Reshapes each example to `shape` (one size may be -1): e.g. [784] -> [1; 28; 28].
        [<CompiledName("Reshape")>]
        static member reshape(shape: int seq) =
            let target = Array.ofSeq shape

            let resolve (input: int[]) =
                let n = Array.fold (*) 1 input
                let known = target |> Array.filter (fun d -> d <> -1) |> Array.fold (*) 1
                let unknown = target |> Array.filter (fun d -> d = -1) |> Array.length

                let out =
                    if unknown = 1 && known > 0 && n % known = 0 then
                        target |> Array.map (fun d -> if d = -1 then n / known else d)
                    else
                        target

                if unknown > 1 || Array.fold (*) 1 out <> n || out |> Array.exists (fun d -> d < 0) then
                    Errors.fail
                        "reshape"
                        $"cannot reshape examples of shape {Model.shapeText input} ({n} elements) to {Model.shapeText target}"
                        "The sizes must multiply to the same count (at most one -1)."

                out

            Model.create
                $"Reshape({Model.shapeText target})"
                (fun _ input -> Params.empty, resolve input)
                (fun _ x ->
                    if x.Rank < 1 then
                        Errors.fail
                            "reshape"
                            "expected a batch (rank 1 or more), got a scalar"
                            "Pass a batch."

                    Tensor.reshape (x, Array.append [| x.Shape[0] |] (resolve x.Shape[1..])))
