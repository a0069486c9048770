module Functional.Tests.Layers.PoolingTests

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.Layers.LayerTestUtil

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    let m =
        match c.Op with
        | "maxPool2d" -> Layers.maxPool2d (c.Int "kernel", stride = c.Int "stride", padding = c.Int "padding")
        | "avgPool2d" ->
            Layers.avgPool2d (
                c.Int "kernel",
                stride = c.Int "stride",
                padding = c.Int "padding",
                countIncludePad = c.Bool "countIncludePad"
            )
        | "globalAvgPool" -> Layers.globalAvgPool
        | op -> failwith $"no layer for {op}"

    fun args -> Model.apply m Params.empty args[0]

[<Tests>]
let tests =
    testList
        "Layers.Pooling"
        [
            fixtures [ "maxPool2d"; "avgPool2d"; "globalAvgPool" ] resolve

            test "GradCheck maxPool2d" { gradCheck (Layers.maxPool2d 2) [ 1; 4; 4 ] 2 }
            test "GradCheck avgPool2d" {
                gradCheck (Layers.avgPool2d (3, stride = 2, padding = 1)) [ 2; 5; 5 ] 1
            }
            test "GradCheck globalAvgPool" { gradCheck Layers.globalAvgPool [ 3; 2; 3 ] 2 }
            test "GradCheck flatten and reshape" {
                gradCheck (Layers.flatten => Layers.reshape [ 2; -1 ]) [ 2; 2; 3 ] 2
            }

            test "output shapes" {
                Expect.sequenceEqual
                    (Model.outputShape [ 6; 28; 28 ] (Layers.maxPool2d 2))
                    [| 6; 14; 14 |]
                    "maxPool2d"

                Expect.sequenceEqual
                    (Model.outputShape [ 6; 7; 7 ] (Layers.avgPool2d (3, stride = 2, padding = 1)))
                    [| 6; 4; 4 |]
                    "avgPool2d"

                Expect.sequenceEqual
                    (Model.outputShape [ 16; 5; 5 ] Layers.globalAvgPool)
                    [| 16 |]
                    "globalAvgPool"

                Expect.sequenceEqual (Model.outputShape [ 16; 5; 5 ] Layers.flatten) [| 400 |] "flatten"

                Expect.sequenceEqual
                    (Model.outputShape [ 784 ] (Layers.reshape [ 1; 28; -1 ]))
                    [| 1; 28; 28 |]
                    "reshape"
            }

            test "bad shapes name the layer and the shapes" {
                TestUtil.throwsArgument [ "maxPool2d"; "[C; H; W]"; "[10]" ] (fun () ->
                    Model.init (Rng.seed 0) [ 10 ] (Layers.maxPool2d 2))

                TestUtil.throwsArgument [ "reshape"; "[5]"; "[2; -1]" ] (fun () ->
                    Model.init (Rng.seed 0) [ 5 ] (Layers.reshape [ 2; -1 ]))

                TestUtil.throwsArgument [ "maxPool2d"; "(N, C, H, W)"; "[3; 4; 4]" ] (fun () ->
                    Model.apply (Layers.maxPool2d 2) Params.empty (Tensor.zeros [ 3; 4; 4 ]))
            }
        ]
