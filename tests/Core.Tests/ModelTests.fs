module Functional.Tests.ModelTests

open System.IO
open Expecto
open Functional
open Functional.Tests

// The models of docs/models.md, verbatim (a test below checks that the page shows exactly these lines).

// docs:models
// An MLP for flattened 28×28 images (784 features) and 10 classes.
let mlp = Layers.dense 128 => Layers.relu => Layers.dropout 0.2 => Layers.dense 10

// A LeNet-style CNN for 1×28×28 images.
let lenet =
    Layers.conv2d (6, 5, padding = 2)
    => Layers.relu
    => Layers.maxPool2d 2
    => Layers.conv2d (16, 5)
    => Layers.relu
    => Layers.maxPool2d 2
    => Layers.flatten
    => Layers.dense 120
    => Layers.relu
    => Layers.dense 84
    => Layers.relu
    => Layers.dense 10

// An LSTM classifier of token sequences (vocabulary 1000, 5 classes).
let lstmClassifier =
    Layers.embedding (1000, 32)
    => Layers.lstm (64, numLayers = 2, bidirectional = true, returnSequences = false)
    => Layers.dense 5

// A small Transformer encoder classifier of token sequences (up to 64 tokens).
let transformer =
    Layers.embedding (1000, 32)
    => Layers.positionalEmbedding 64
    => Layers.transformerEncoder (numLayers = 2, numHeads = 4, dimFeedforward = 64)
    => Model.lambda "MeanOverTime" (fun x -> Tensor.mean (x, 1))
    => Layers.dense 5
// end

// docs:training
let trainingStep () =
    let p = Model.init (Rng.seed 0) [ 784 ] mlp // Params: "0.weight", "0.bias", "3.weight", "3.bias"
    let table = Model.summary [ 784 ] mlp // the table shown above
    let x = Tensor.randn (Rng.seed 1, [ 32; 784 ])
    let y = Tensor.randint (Rng.seed 2, 0, 10, [ 32 ])
    // Training mode: dropout draws its mask from the key.
    let loss (p: Params) =
        let logits, _ = Model.applyTrain mlp p Params.empty (Rng.seed 3) x
        Losses.crossEntropy (logits, y)

    let value, grads = DiffParams.valueAndGrad loss p // grads has the paths and shapes of p
    let p' = p - 0.1 * grads // one step of gradient descent
    table, value, loss p', Model.apply mlp p' x // evaluation mode: dropout off
// end

/// The lines between "// docs:<name>" and "// end" in this file.
let private region (name: string) =
    let lines = File.ReadAllLines(Path.Combine(__SOURCE_DIRECTORY__, "ModelTests.fs"))
    let start = Array.findIndex (fun (l: string) -> l.Trim() = $"// docs:{name}") lines

    let stop =
        start + Array.findIndex (fun (l: string) -> l.Trim() = "// end") lines[start..]

    String.concat "\n" lines[start + 1 .. stop - 1]

let private docs () =
    File
        .ReadAllText(Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "docs", "models.md"))
        .Replace("\r\n", "\n")

let private f64 (p: Params) =
    Params.map (fun t -> t.ToDtype Float64) p

/// Checks ∇_p loss against a central finite difference along a random direction (Float64).
let private checkParamGradient (loss: Params -> Tensor) (p: Params) =
    let g = DiffParams.grad loss p
    Expect.equal (Params.paths g) (Params.paths p) "the gradient has the paths of the params"
    Expect.isTrue (Params.sameStructure g p) "and their shapes"

    let v =
        p
        |> Params.mapi (fun path t -> Tensor.randn (Rng.seed (hash path), t.Shape, Float64))

    let eps = 1e-6

    let numeric =
        ((loss (p + eps * v)).ToDouble() - (loss (p - eps * v)).ToDouble())
        / (2.0 * eps)

    let exact = (Params.dot g v).ToDouble()
    Expect.floatClose { absolute = 1e-6; relative = 1e-5 } exact numeric "<∇loss, v> = finite difference"
    Expect.isGreaterThan ((Params.norm g).ToDouble()) 0.0 "a nonzero gradient"

/// (name, model, input shape, a batch, total parameter count) of the documented models.
let private documented: (string * Model * int list * Tensor * int) list =
    let tokens = Tensor.randint (Rng.seed 4, 0, 1000, [ 2; 6 ])

    [
        "MLP", mlp, [ 784 ], Tensor.randn (Rng.seed 1, [ 3; 784 ], Float64), 101770
        "LeNet", lenet, [ 1; 28; 28 ], Tensor.randn (Rng.seed 1, [ 2; 1; 28; 28 ], Float64), 61706
        "LSTM classifier", lstmClassifier, [ 6 ], tokens, 182149
        "Transformer encoder", transformer, [ 6 ], tokens, 51301
    ]

[<Tests>]
let tests =
    testList
        "Model"
        [
            testList
                "documented models (docs/models.md)"
                [
                    test "the page shows exactly the models and the training step tested here" {
                        let page = docs ()
                        Expect.stringContains page (region "models") "the model definitions"
                        Expect.stringContains page (region "training") "the training step"
                    }

                    testList
                        "summary and gradient"
                        [
                            for name, model, shape, x, total in documented ->
                                test $"{name}: summary and exact gradient w.r.t. Params" {
                                    let summary = Model.summary shape model
                                    Expect.stringContains summary "Layer (type)" "table header"

                                    Expect.stringContains
                                        summary
                                        (total.ToString(
                                            "N0",
                                            System.Globalization.CultureInfo.InvariantCulture
                                        ))
                                        "total"

                                    let p = f64 (Model.init (Rng.seed 0) shape model)
                                    Expect.equal (Params.count p) total "parameter count"

                                    let y =
                                        Tensor.create ([ 1L; 0L; 2L ], Int64)
                                        |> fun t -> Tensor.narrow (t, 0, 0, x.Shape[0])

                                    checkParamGradient
                                        (fun p -> Losses.crossEntropy (Model.apply model p x, y))
                                        p
                                }
                        ]

                    test "the training step runs and lowers the loss" {
                        let table, before, after, logits = trainingStep ()
                        Expect.stringContains table "Total params: 101,770" "summary"
                        Expect.sequenceEqual logits.Shape [| 32; 10 |] "logits"
                        Expect.isLessThan (after.ToDouble()) (before.ToDouble()) "one step lowers the loss"
                    }
                ]

            test "a model is a pure function: same params and input, same output; params unchanged" {
                let m =
                    Layers.conv2d (3, 3, padding = 1)
                    => Layers.batchNorm ()
                    => Layers.relu
                    => Layers.flatten
                    => Layers.dense 4

                let p, s = Model.initWithState (Rng.seed 0) [ 2; 5; 5 ] m
                let before = Params.flatten p
                let x = Tensor.randn (Rng.seed 1, [ 3; 2; 5; 5 ])
                let y1 = Model.applyWith m p s x
                let y2 = Model.applyWith m p s x
                TestUtil.expectClose 0.0 y1 y2 "evaluation"
                let t1, s1 = Model.applyTrain m p s (Rng.seed 2) x
                let t2, s2 = Model.applyTrain m p s (Rng.seed 2) x
                TestUtil.expectClose 0.0 t1 t2 "training with the same key"
                TestUtil.expectClose 0.0 (Params.flatten s1) (Params.flatten s2) "same new state"
                DiffParams.grad (fun p -> Tensor.sum (Model.applyWith m p s x)) p |> ignore
                TestUtil.expectClose 0.0 (Params.flatten p) before "params unchanged"
                TestUtil.expectClose 0.0 (Model.applyWith m p s x) y1 "output unchanged after training calls"

                Expect.isFalse
                    (Tensor.allclose (Params.flatten s1, Params.flatten s))
                    "training returns a new state"
            }

            test "init is deterministic in the key" {
                let a = Model.init (Rng.seed 5) [ 4 ] mlp |> Params.flatten
                let b = Model.init (Rng.seed 5) [ 4 ] mlp |> Params.flatten
                let c = Model.init (Rng.seed 6) [ 4 ] mlp |> Params.flatten
                TestUtil.expectClose 0.0 a b "same key"
                Expect.isFalse (Tensor.allclose (a, c)) "another key"
                let p = Model.init (Rng.seed 5) [ 4 ] mlp

                Expect.isFalse
                    (Tensor.allclose (p.Get "0.weight", (p.Get "3.weight").Narrow(0, 0, 10)))
                    "layers get their own keys"
            }

            test "chains stay flat; sequential nests with PyTorch-style names" {
                let chain = (Layers.dense 3 => Layers.relu) => (Layers.dense 2 => Layers.dense 1)

                Expect.equal
                    (Params.paths (Model.init (Rng.seed 0) [ 4 ] chain))
                    [ "0.weight"; "0.bias"; "2.weight"; "2.bias"; "3.weight"; "3.bias" ]
                    "flat"

                let named =
                    Model.namedSequential
                        [
                            "encoder", Model.sequential [ Layers.dense 3; Layers.relu; Layers.dense 2 ]
                            "head", Layers.dense 1
                        ]

                Expect.equal
                    (Params.paths (Model.init (Rng.seed 0) [ 4 ] named))
                    [
                        "encoder.0.weight"
                        "encoder.0.bias"
                        "encoder.2.weight"
                        "encoder.2.bias"
                        "head.weight"
                        "head.bias"
                    ]
                    "nested"

                TestUtil.throwsArgument [ "twice" ] (fun () ->
                    Model.namedSequential [ "a", Layers.relu; "a", Layers.relu ])
            }

            test "concat, branches, add, residual and map" {
                let x = Tensor.randn (Rng.seed 1, [ 2; 4 ])
                let cat = Model.concat [ Layers.dense 3; Layers.identity ]
                let p = Model.init (Rng.seed 0) [ 4 ] cat
                Expect.sequenceEqual (Model.outputShape [ 4 ] cat) [| 7 |] "concat shape"
                let y = Model.apply cat p x
                TestUtil.expectClose 1e-6 (Tensor.narrow (y, 1, 3, 4)) x "identity branch"

                TestUtil.expectClose
                    1e-6
                    (Tensor.narrow (y, 1, 0, 3))
                    (Dense.forward (Model.sub "0" p) x)
                    "dense branch"

                let res = Model.residual (Layers.dense 4)
                let rp = Model.init (Rng.seed 0) [ 4 ] res
                Expect.equal (Params.paths rp) [ "weight"; "bias" ] "residual keeps the names"
                TestUtil.expectClose 1e-6 (Model.apply res rp x) (x + Dense.forward rp x) "x + f x"
                let sum = Model.add [ Layers.identity; Layers.identity ]
                TestUtil.expectClose 1e-6 (Model.apply sum Params.empty x) (2.0 * x) "add"
                let mapped = Model.map (fun t -> Tensor.sum (t, 1, true)) (Layers.dense 3)
                Expect.sequenceEqual (Model.outputShape [ 4 ] mapped) [| 1 |] "map infers the shape"
                let channels = Model.concatAt 0 [ Layers.conv2d (2, 1); Layers.conv2d (3, 1) ]

                Expect.sequenceEqual
                    (Model.outputShape [ 1; 4; 4 ] channels)
                    [| 5; 4; 4 |]
                    "concat on channels"

                let br = Model.branches (fun ys -> ys[0] * ys[1]) [ Layers.dense 2; Layers.dense 2 ]
                Expect.sequenceEqual (Model.outputShape [ 4 ] br) [| 2 |] "branches"
            }

            test "GradCheck of a composite model (residual, concat, layer norm)" {
                let m =
                    Model.residual (Layers.dense 3 => Layers.tanh)
                    => Model.concat [ Layers.dense 2; Layers.layerNorm () ]
                    => Layers.dense 1

                let p = f64 (Model.init (Rng.seed 0) [ 3 ] m)
                let x = Tensor.randn (Rng.seed 1, [ 2; 3 ], Float64)

                GradCheck.checkArgs
                    (fun a -> Model.apply m (Params.withTensors p a[1..]) a[0])
                    (Array.append [| x |] (Array.ofList (Params.tensors p)))
            }

            test "summary is a Keras-style table" {
                let m =
                    Model.namedSequential
                        [
                            "features", Layers.conv2d (4, 3) => Layers.relu
                            "head", Layers.flatten => Layers.dense 2
                        ]

                let s = Model.summary [ 1; 5; 5 ] m
                let lines = s.Split '\n'
                Expect.stringContains lines[0] "(*, 1, 5, 5)" "input shape"
                Expect.stringContains s "features (Sequential)" "combinator row"
                Expect.stringContains s "  features.0 (Conv2d(4, k=3))" "indented child row"
                Expect.stringContains s "(*, 4, 3, 3)" "conv output"
                Expect.stringContains s "Total params: 114" "(4·9 + 4) + (36·2 + 2)"
                let bn = Model.summary [ 3 ] (Layers.batchNorm ())
                Expect.stringContains bn "Non-trainable state: 6" "state count"
            }

            test "errors inside a sequential name the layer path, the layer and the shapes" {
                let m = Model.namedSequential [ "encoder", Layers.dense 4 => Layers.conv2d (2, 3) ]

                TestUtil.throwsArgument [ "in layer 'encoder.1'"; "conv2d"; "[C; H; W]"; "[4]" ] (fun () ->
                    Model.init (Rng.seed 0) [ 5 ] m)

                let ok = Layers.dense 4 => Layers.relu => Layers.dense 2
                let p = Model.init (Rng.seed 0) [ 5 ] ok

                TestUtil.throwsArgument [ "in layer '0'"; "dense"; "5"; "[3; 6]" ] (fun () ->
                    Model.apply ok p (Tensor.zeros [ 3; 6 ]))

                TestUtil.throwsArgument [ "Model.residual"; "(*, 4)"; "(*, 2)" ] (fun () ->
                    Model.init (Rng.seed 0) [ 4 ] (Model.residual (Layers.dense 2)))

                TestUtil.throwsArgument [ "dense"; "no tensor 'weight'" ] (fun () ->
                    Model.apply (Layers.dense 2) Params.empty (Tensor.zeros [ 1; 3 ]))
            }
        ]
