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
