module Functional.Tests.Layers.TransformerTests

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.Layers.LayerTestUtil

let private resolve (c: TorchFixture.FixtureCase) =
    let m =
        Layers.transformerEncoderLayer (
            c.Int "heads",
            c.Int "ff",
            dropout = 0.0,
            activation = (if c.Bool "gelu" then Tensor.gelu else Tensor.relu),
            normFirst = c.Bool "normFirst",
            causal = c.Bool "causal"
        )

    viaModel m Mode.Eval c

[<Tests>]
let tests =
    testList
        "Layers.Transformer"
        [
            fixtures [ "transformer" ] resolve

            test "GradCheck encoder layer" {
                gradCheck (Layers.transformerEncoderLayer (2, 3, dropout = 0.0)) [ 2; 4 ] 2
            }

            test "GradCheck pre-norm encoder layer in training mode with dropout" {
                gradCheckWith
                    (Mode.Train(Rng.seed 1))
                    (Layers.transformerEncoderLayer (1, 3, dropout = 0.2, normFirst = true))
                    [ 2; 2 ]
                    (Tensor.randn (Rng.seed 2, [ 2; 2; 2 ], Float64))
            }

            test "encoder stacks layers under PyTorch's names" {
                let p = Model.init (Rng.seed 0) [ 3; 8 ] (Layers.transformerEncoder (2, 2, 16))
                let paths = Params.paths p
                Expect.contains paths "layers.0.self_attn.in_proj_weight" "first layer attention"
                Expect.contains paths "layers.1.linear2.bias" "second layer feed-forward"
                Expect.contains paths "layers.1.norm2.weight" "second layer norm"
                Expect.equal paths.Length 24 "12 tensors per layer"
            }

            test "bad shapes name the layer and the shapes" {
                TestUtil.throwsArgument [ "transformerEncoderLayer"; "[T; E]"; "[8]" ] (fun () ->
                    Model.init (Rng.seed 0) [ 8 ] (Layers.transformerEncoderLayer (2, 16)))

                TestUtil.throwsArgument [ "transformerEncoderLayer"; "9"; "numHeads = 2" ] (fun () ->
                    Model.init (Rng.seed 0) [ 3; 9 ] (Layers.transformerEncoderLayer (2, 16)))
            }
        ]
