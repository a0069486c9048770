module Functional.Tests.Layers.ConvolutionalTests

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.Layers.LayerTestUtil

let private resolve (c: TorchFixture.FixtureCase) =
    let bias = flag c "bias" true

    match c.Op with
    | "conv1d" ->
        Layers.conv1d (
            c.Int "out",
            c.Int "kernel",
            stride = c.Int "stride",
            padding = c.Int "padding",
            dilation = c.Int "dilation",
            groups = c.Int "groups",
            bias = bias
        )
    | "conv2d" ->
        Layers.conv2d (
            c.Int "out",
            c.Int "kernel",
            stride = c.Int "stride",
            padding = c.Int "padding",
            dilation = c.Int "dilation",
            groups = c.Int "groups",
            bias = bias
        )
    | "convTranspose2d" ->
        Layers.convTranspose2d (
            c.Int "out",
            c.Int "kernel",
            stride = c.Int "stride",
            padding = c.Int "padding",
            outputPadding = c.Int "outputPadding"
        )
    | op -> failwith $"no layer for {op}"
    |> fun m -> viaModel m Mode.Eval c

[<Tests>]
let tests =
    testList
        "Layers.Convolutional"
        [
            fixtures [ "conv1d"; "conv2d"; "convTranspose2d" ] resolve

            test "GradCheck conv1d" { gradCheck (Layers.conv1d (2, 3, stride = 2, padding = 1)) [ 2; 5 ] 2 }
            test "GradCheck conv2d" {
                gradCheck (Layers.conv2d (2, 3, padding = 1, groups = 2)) [ 2; 4; 4 ] 1
            }

            test "GradCheck convTranspose2d" {
                gradCheck
                    (Layers.convTranspose2d (2, 3, stride = 2, padding = 1, outputPadding = 1))
                    [ 2; 3; 3 ]
                    1
            }

            test "shape inference and PyTorch's weight layouts" {
                let b =
                    Model.build (Rng.seed 0) [ 3; 28; 28 ] (Layers.conv2d (8, 5, stride = 2, padding = 2))

                Expect.sequenceEqual (b.Params.Get "weight").Shape [| 8; 3; 5; 5 |] "conv2d weight"
                Expect.sequenceEqual b.OutputShape [| 8; 14; 14 |] "conv2d output"

                let t =
                    Model.build
                        (Rng.seed 0)
                        [ 8; 7; 7 ]
                        (Layers.convTranspose2d (3, 3, stride = 2, padding = 1, outputPadding = 1))

                Expect.sequenceEqual
                    (t.Params.Get "weight").Shape
                    [| 8; 3; 3; 3 |]
                    "convTranspose2d weight [in; out; k; k]"

                Expect.sequenceEqual t.OutputShape [| 3; 14; 14 |] "convTranspose2d output"
                let c1 = Model.build (Rng.seed 0) [ 4; 10 ] (Layers.conv1d (6, 3, dilation = 2))
                Expect.sequenceEqual c1.OutputShape [| 6; 6 |] "conv1d output"
            }

            test "bad shapes name the layer and the shapes" {
                TestUtil.throwsArgument [ "conv2d"; "[C; H; W]"; "[784]" ] (fun () ->
                    Model.init (Rng.seed 0) [ 784 ] (Layers.conv2d (6, 5)))

                TestUtil.throwsArgument [ "conv2d"; "empty output" ] (fun () ->
                    Model.init (Rng.seed 0) [ 1; 3; 3 ] (Layers.conv2d (6, 5)))

                TestUtil.throwsArgument [ "conv2d"; "3 channels"; "groups = 2" ] (fun () ->
                    Model.init (Rng.seed 0) [ 3; 8; 8 ] (Layers.conv2d (4, 3, groups = 2)))

                let m = Layers.conv2d (4, 3)
                let p = Model.init (Rng.seed 0) [ 3; 8; 8 ] m

                TestUtil.throwsArgument [ "conv2d"; "(N, 3, H, W)"; "[2; 1; 8; 8]" ] (fun () ->
                    Model.apply m p (Tensor.zeros [ 2; 1; 8; 8 ]))
            }
        ]
