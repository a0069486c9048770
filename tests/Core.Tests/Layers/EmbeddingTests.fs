module Functional.Tests.Layers.EmbeddingTests

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.Layers.LayerTestUtil

let private resolve (c: TorchFixture.FixtureCase) =
    let m =
        if c.Has "padding" then
            Layers.embedding (c.Int "num", c.Int "dim", paddingIdx = c.Int "padding")
        else
            Layers.embedding (c.Int "num", c.Int "dim")

    viaModel m Mode.Eval c

[<Tests>]
let tests =
    testList
        "Layers.Embedding"
        [
            fixtures [ "embedding" ] resolve

            test "GradCheck in the table (indices fixed)" {
                gradCheckWith
                    Mode.Eval
                    (Layers.embedding (5, 3))
                    [ 4 ]
                    (Tensor.create ([ [ 0L; 2L; 4L; 2L ] ], Int64))
            }

            test "the padding row gets no gradient" {
                let m = Layers.embedding (5, 3, paddingIdx = 2)
                let p = Model.init (Rng.seed 0) [ 4 ] m |> Params.map (fun t -> t + 1.0)
                let idx = Tensor.create ([ [ 0L; 2L; 4L; 2L ] ], Int64)

                TestUtil.expectClose
                    0.0
                    (Tensor.select (Model.apply m p idx, 1, 1))
                    (Tensor.ones [ 1; 3 ])
                    "its row is used as it is"

                let g =
                    DiffParams.grad (fun p -> Tensor.sum (Model.apply m p idx)) p
                    |> Params.get "weight"

                let rows = Tensor.sum (g, 1)

                TestUtil.expectClose
                    0.0
                    rows
                    (Tensor.create [ 3.0f; 0.0f; 0.0f; 0.0f; 3.0f ])
                    "rows 0 and 4 once (3 elements each), row 2 none"
            }

            test "output shape, padding row zero at init" {
                let b = Model.build (Rng.seed 0) [ 7 ] (Layers.embedding (10, 4, paddingIdx = 3))
                Expect.sequenceEqual b.OutputShape [| 7; 4 |] "[T] -> [T; dim]"
                let w = b.Params.Get "weight"
                Expect.sequenceEqual w.Shape [| 10; 4 |] "weight"
                Expect.equal (Tensor.sum(Tensor.abs (Tensor.select (w, 0, 3))).ToDouble()) 0.0 "padding row"
            }

            test "positional embedding adds a learned row per position" {
                let m = Layers.positionalEmbedding 6
                let p = Model.init (Rng.seed 0) [ 4; 3 ] m
                Expect.sequenceEqual (p.Get "weight").Shape [| 6; 3 |] "table [maxLength; dim]"
                let x = Tensor.zeros [ 2; 4; 3 ]
                let y = Model.apply m p x

                TestUtil.expectClose
                    0.0
                    (Tensor.select (y, 0, 1))
                    (Tensor.narrow (p.Get "weight", 0, 0, 4))
                    "rows 0..3"

                gradCheck m [ 4; 3 ] 2

                TestUtil.throwsArgument [ "positionalEmbedding"; "7"; "6" ] (fun () ->
                    Model.init (Rng.seed 0) [ 7; 3 ] m)
            }

            test "bad indices name the layer" {
                let m = Layers.embedding (5, 2)
                let p = Model.init (Rng.seed 0) [ 3 ] m

                TestUtil.throwsArgument [ "embedding"; "Float32"; "Int64" ] (fun () ->
                    Model.apply m p (Tensor.zeros [ 1; 3 ]))

                TestUtil.throwsArgument [ "embedding"; "5 rows"; "[0, 4]" ] (fun () ->
                    Model.apply m p (Tensor.create ([ [ 0L; 5L; 1L ] ], Int64)))
            }
        ]
