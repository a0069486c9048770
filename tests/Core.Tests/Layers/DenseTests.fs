module Functional.Tests.Layers.DenseTests

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.Layers.LayerTestUtil

[<Tests>]
let tests =
    testList
        "Layers.Dense"
        [
            fixtures [ "dense" ] (fun c ->
                viaModel (Layers.dense (c.Int "out", flag c "bias" true)) Mode.Eval c)

            test "GradCheck in input and parameters" { gradCheck (Layers.dense 3) [ 4 ] 2 }

            test "GradCheck on 3-d input without bias" {
                gradCheck (Layers.dense (2, bias = false)) [ 3; 4 ] 2
            }

            test "GradCheck on 3-d input with bias (the fused x Wᵀ + b)" {
                gradCheck (Layers.dense 2) [ 3; 4 ] 2
            }

            test "the bias gradient sums the output cotangent over every leading dimension" {
                let m = Layers.dense 2
                let p = Model.init (Rng.seed 0) [ 3; 4 ] m
                let x = Tensor.randn (Rng.seed 1, [ 5; 3; 4 ])
                let u = Tensor.randn (Rng.seed 2, [ 5; 3; 2 ])
                let g = DiffParams.grad (fun p -> Tensor.sum (Model.apply m p x * u)) p
                TestUtil.expectClose 1e-5 (g.Get "bias") (Tensor.sum (Tensor.reshape (u, [ 15; 2 ]), 0)) "Σ u"
            }

            test "GradCheck on a single 1-d example" {
                let m = Layers.dense 3
                let p, s = float64Model m [ 4 ]
                let x = Tensor.randn (Rng.seed 6, [ 4 ], Float64)
                let tensors = Params.tensors p |> Array.ofList

                GradCheck.checkArgs
                    (fun args -> fst (m.Apply (Params.withTensors p args[1..]) s Mode.Eval args[0]))
                    (Array.append [| x |] tensors)
            }

            test "the weight gradient is gᵀx, summed over every leading dimension" {
                let m = Layers.dense (2, bias = false)
                let p = Model.init (Rng.seed 0) [ 3 ] m
                let x = Tensor.randn (Rng.seed 1, [ 2; 4; 3 ])
                let g = DiffParams.grad (fun p -> Tensor.sum (Model.apply m p x)) p
                // d/dW Σ x Wᵀ = Σ over rows of 1 ⊗ x: every output row gets the column sums of x
                let columnSums = Tensor.sum (Tensor.reshape (x, [ 8; 3 ]), 0)
                let expected = Tensor.stack ([ columnSums; columnSums ], 0)
                Expect.isTrue (Tensor.allclose (g.Get "weight", expected, rtol = 1e-5)) "gᵀx"
            }

            test "an input of another dtype is named" {
                let m = Layers.dense 3
                let p = Model.init (Rng.seed 0) [ 4 ] m

                TestUtil.throwsArgument [ "dense"; "Float64"; "Float32" ] (fun () ->
                    Model.apply m p (Tensor.zeros ([ 2; 4 ], Float64)))
            }

            test "infers in-features and uses PyTorch's names, shapes and init bounds" {
                let b = Model.build (Rng.seed 0) [ 20 ] (Layers.dense 7)
                Expect.equal (Params.paths b.Params) [ "weight"; "bias" ] "names"
                Expect.sequenceEqual (b.Params.Get "weight").Shape [| 7; 20 |] "weight shape [out; in]"
                Expect.sequenceEqual b.OutputShape [| 7 |] "output shape"
                let w = (b.Params.Get "weight").ToArray<float32>()
                let bound = 1.0f / sqrt 20.0f
                Expect.isTrue (w |> Array.forall (fun v -> abs v <= bound)) "U(-1/sqrt in, 1/sqrt in)"
                Expect.isGreaterThan (Array.max w) (bound * 0.8f) "spread over the range"
            }

            test "bad shapes name the layer and the shapes" {
                TestUtil.throwsArgument [ "dense"; "scalar" ] (fun () ->
                    Model.init (Rng.seed 0) [] (Layers.dense 3))

                let m = Layers.dense 3
                let p = Model.init (Rng.seed 0) [ 4 ] m

                TestUtil.throwsArgument [ "dense"; "4"; "[2; 5]" ] (fun () ->
                    Model.apply m p (Tensor.zeros [ 2; 5 ]))

                TestUtil.throwsArgument [ "dense"; "outFeatures" ] (fun () -> Layers.dense 0)
            }
        ]
