module Functional.Tests.Layers.ActivationsTests

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.Layers.LayerTestUtil

let private layerOf (c: TorchFixture.FixtureCase) =
    match c.Op with
    | "relu" -> Layers.relu
    | "sigmoid" -> Layers.sigmoid
    | "tanh" -> Layers.tanh
    | "leakyRelu" -> Layers.leakyRelu (c.Float "slope")
    | "elu" -> Layers.elu (c.Float "alpha")
    | "gelu" -> Layers.gelu
    | "softmax" -> Layers.softmax ()
    | "logSoftmax" -> Layers.logSoftmax ()
    | op -> failwith $"no layer for {op}"

let private all =
    [
        Layers.relu
        Layers.sigmoid
        Layers.tanh
        Layers.leakyRelu ()
        Layers.elu ()
        Layers.gelu
        Layers.softplus
        Layers.softmax ()
        Layers.logSoftmax ()
        Layers.identity
    ]

[<Tests>]
let tests =
    testList
        "Layers.Activations"
        [
            fixtures
                [
                    "relu"
                    "sigmoid"
                    "tanh"
                    "leakyRelu"
                    "elu"
                    "gelu"
                    "softmax"
                    "logSoftmax"
                ]
                (fun c -> fun args -> Model.apply (layerOf c) Params.empty args[0])

            testList "GradCheck" [ for m in all -> test m.Name { gradCheck m [ 3 ] 2 } ]

            test "layers and functions agree and keep the shape" {
                let x = Tensor.randn (Rng.seed 0, [ 2; 3 ])
                TestUtil.expectClose 0.0 (Model.apply Layers.relu Params.empty x) (Activation.relu x) "relu"

                TestUtil.expectClose
                    0.0
                    (Model.apply (Layers.leakyRelu 0.1) Params.empty x)
                    (Activation.leakyRelu 0.1 x)
                    "leakyRelu"

                TestUtil.expectClose
                    0.0
                    (Model.apply (Layers.softmax ()) Params.empty x)
                    (Activation.softmax -1 x)
                    "softmax"

                Expect.sequenceEqual (Model.outputShape [ 3; 4 ] Layers.gelu) [| 3; 4 |] "shape"
            }
        ]
