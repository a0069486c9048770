module Functional.Tests.Layers.AttentionTests

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.Layers.LayerTestUtil

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    let heads = c.Int "heads"

    match c.Op with
    | "selfAttention" -> fun a -> Attention.multiHead heads (paramsOf c a) a[0] a[0] a[0] None None
    | "selfAttentionMask" -> fun a -> Attention.multiHead heads (paramsOf c a) a[0] a[0] a[0] (Some a[1]) None
    | "crossAttention" ->
        fun a -> Attention.multiHead heads (paramsOf c a) a[0] a[1] a[2] (Some a[3]) (Some a[4])
    | op -> failwith $"no function for {op}"

[<Tests>]
let tests =
    testList
        "Layers.Attention"
        [
            fixtures [ "selfAttention"; "selfAttentionMask"; "crossAttention" ] resolve

            test "GradCheck self-attention layer" { gradCheck (Layers.selfAttention 2) [ 3; 4 ] 2 }
            test "GradCheck causal self-attention layer" {
                gradCheck (Layers.selfAttention (2, causal = true)) [ 3; 4 ] 1
            }

            test "GradCheck cross-attention with a key padding mask" {
                let p, _ = float64Model (Layers.selfAttention 2) [ 3; 4 ]
                let q = Tensor.randn (Rng.seed 1, [ 2; 2; 4 ], Float64)
                let kv = Tensor.randn (Rng.seed 2, [ 2; 3; 4 ], Float64)

                let padding =
                    Tensor.create (array2D [ [ false; true; false ]; [ false; false; false ] ])

                GradCheck.checkArgs
                    (fun a ->
                        Attention.multiHead 2 (Params.withTensors p a[3..]) a[0] a[1] a[1] None (Some a[2]))
                    (Array.append [| q; kv; padding |] (Params.tensors p |> Array.ofList))
            }

            test "a causal mask hides later positions" {
                let m = Layers.selfAttention (1, causal = true)
                let p = Model.init (Rng.seed 0) [ 3; 2 ] m
                let x = Tensor.randn (Rng.seed 1, [ 1; 3; 2 ])

                let changed =
                    Tensor.cat ([ Tensor.narrow (x, 1, 0, 2); Tensor.ones [ 1; 1; 2 ] * 5.0 ], 1)

                let y1 = Model.apply m p x
                let y2 = Model.apply m p changed

                TestUtil.expectClose
                    1e-6
                    (Tensor.narrow (y2, 1, 0, 2))
                    (Tensor.narrow (y1, 1, 0, 2))
                    "first two positions"

                Expect.isFalse
                    (Tensor.allclose (Tensor.narrow (y2, 1, 2, 1), Tensor.narrow (y1, 1, 2, 1)))
                    "last position sees itself"

                Expect.sequenceEqual
                    ((Attention.causalMask 3).ToArray<bool>())
                    [| false; true; true; false; false; true; false; false; false |]
                    "mask"
            }

            test "PyTorch's names and init" {
                let p = Model.init (Rng.seed 0) [ 5; 6 ] (Layers.selfAttention 3)

                Expect.equal
                    (Params.paths p)
                    [ "in_proj_weight"; "in_proj_bias"; "out_proj.weight"; "out_proj.bias" ]
                    "names"

                Expect.sequenceEqual (p.Get "in_proj_weight").Shape [| 18; 6 |] "in_proj_weight [3E; E]"
                Expect.equal (Tensor.sum(Tensor.abs (p.Get "in_proj_bias")).ToDouble()) 0.0 "zero biases"
            }

            test "bad shapes name the layer and the shapes" {
                TestUtil.throwsArgument [ "multiHeadAttention"; "6"; "numHeads = 4" ] (fun () ->
                    Model.init (Rng.seed 0) [ 5; 6 ] (Layers.selfAttention 4))

                let p = Model.init (Rng.seed 0) [ 5; 6 ] (Layers.selfAttention 2)

                TestUtil.throwsArgument
                    [ "multiHeadAttention"; "key"; "(N, length, 6)"; "[1; 5; 4]" ]
                    (fun () ->
                        Attention.multiHead
                            2
                            p
                            (Tensor.zeros [ 1; 5; 6 ])
                            (Tensor.zeros [ 1; 5; 4 ])
                            (Tensor.zeros [ 1; 5; 6 ])
                            None
                            None)

                TestUtil.throwsArgument [ "multiHeadAttention"; "attention mask"; "[5; 5]" ] (fun () ->
                    let x = Tensor.zeros [ 1; 5; 6 ]
                    Attention.multiHead 2 p x x x (Some(Tensor.zeros [ 4; 4 ])) None)
            }
        ]
