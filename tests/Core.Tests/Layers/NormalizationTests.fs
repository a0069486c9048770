module Functional.Tests.Layers.NormalizationTests

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.Layers.LayerTestUtil

let private train = Mode.Train(Rng.seed 3)

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    match c.Op with
    | "batchNormTrain" -> viaModel (Layers.batchNorm ()) train c
    | "batchNormEval" -> viaModel (Layers.batchNorm ()) Mode.Eval c
    | "batchNormRunning" ->
        fun args ->
            let _, s =
                (Layers.batchNorm ()).Apply (paramsOf c args) (stateOf c args) train args[0]

            Tensor.cat ([ s.Get "running_mean"; s.Get "running_var" ], 0)
    | "layerNorm" ->
        let eps = if c.Has "eps" then c.Float "eps" else 1e-5
        viaModel (Layers.layerNorm (eps, normalizedDims = c.Int "dims")) Mode.Eval c
    | op -> failwith $"no layer for {op}"

[<Tests>]
let tests =
    testList
        "Layers.Normalization"
        [
            fixtures [ "batchNormTrain"; "batchNormEval"; "batchNormRunning"; "layerNorm" ] resolve

            test "GradCheck batchNorm in training (batch statistics)" {
                gradCheckWith
                    train
                    (Layers.batchNorm ())
                    [ 2; 3 ]
                    (Tensor.randn (Rng.seed 1, [ 3; 2; 3 ], Float64))
            }

            test "GradCheck batchNorm in evaluation (running statistics)" {
                gradCheck (Layers.batchNorm ()) [ 3 ] 2
            }
            test "GradCheck layerNorm" { gradCheck (Layers.layerNorm ()) [ 2; 4 ] 2 }
            test "GradCheck layerNorm over two dimensions" {
                gradCheck (Layers.layerNorm (normalizedDims = 2)) [ 2; 3 ] 2
            }

            test "batchNorm state: running statistics start at 0 and 1 and move by the momentum" {
                let m = Layers.batchNorm (momentum = 0.5)
                let p, s = Model.initWithState (Rng.seed 0) [ 2 ] m
                Expect.equal (Params.paths p) [ "weight"; "bias" ] "params"
                Expect.equal (Params.paths s) [ "running_mean"; "running_var" ] "state"
                let x = Tensor.create ([ [ 1.0; 10.0 ]; [ 3.0; 10.0 ] ], Float32)
                let _, s' = Model.applyTrain m p s (Rng.seed 1) x

                TestUtil.expectClose
                    1e-6
                    (s'.Get "running_mean")
                    (Tensor.create [ 1.0; 5.0 ])
                    "mean: 0.5·0 + 0.5·mean"

                TestUtil.expectClose
                    1e-6
                    (s'.Get "running_var")
                    (Tensor.create [ 1.5; 0.5 ])
                    "var: 0.5·1 + 0.5·unbiased var"
                // Evaluation uses the state and leaves it as it is.
                let y = Model.applyWith m p s' x

                let expected =
                    (x - Tensor.create [ 1.0; 5.0 ])
                    / Tensor.sqrt (Tensor.create [ 1.5; 0.5 ] + 1e-5)

                TestUtil.expectClose 1e-5 y expected "evaluation output"
            }

            test "batchNorm without state in evaluation explains what to pass" {
                let m = Layers.batchNorm ()
                let p = Model.init (Rng.seed 0) [ 2 ] m

                TestUtil.throwsArgument [ "batchNorm"; "running"; "Model.applyWith" ] (fun () ->
                    Model.apply m p (Tensor.zeros [ 3; 2 ]))
            }

            test "bad shapes name the layer and the shapes" {
                TestUtil.throwsArgument [ "batchNorm"; "[C; H; W]"; "[1; 2; 3; 4]" ] (fun () ->
                    Model.init (Rng.seed 0) [ 1; 2; 3; 4 ] (Layers.batchNorm ()))

                let m = Layers.layerNorm ()
                let p = Model.init (Rng.seed 0) [ 4 ] m

                TestUtil.throwsArgument [ "layerNorm"; "[4]"; "[2; 5]" ] (fun () ->
                    Model.apply m p (Tensor.zeros [ 2; 5 ]))

                let bn = Layers.batchNorm ()
                let bp, bs = Model.initWithState (Rng.seed 0) [ 3 ] bn

                TestUtil.throwsArgument [ "batchNorm"; "4 channels"; "[3]" ] (fun () ->
                    Model.applyWith bn bp bs (Tensor.zeros [ 2; 4 ]))
            }
        ]
