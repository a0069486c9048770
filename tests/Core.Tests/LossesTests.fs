module Functional.Tests.LossesTests

open Expecto
open Functional
open Functional.Tests

let private reductionOf (c: TorchFixture.FixtureCase) =
    match c.Params.GetProperty("reduction").GetString() with
    | "mean" -> Reduction.Mean
    | "sum" -> Reduction.Sum
    | "none" -> Reduction.None
    | "batchmean" -> Reduction.BatchMean
    | other -> failwith $"unknown reduction {other}"

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    let r = reductionOf c

    let opt (a: Tensor[]) i =
        if a.Length > i then Some a[i] else None

    let smoothing = if c.Has "smoothing" then c.Float "smoothing" else 0.0
    let ignore = if c.Has "ignore" then c.Int "ignore" else -100

    match c.Op with
    | "mse" -> fun a -> Losses.mse (a[0], a[1], r)
    | "mae" -> fun a -> Losses.mae (a[0], a[1], r)
    | "huber" -> fun a -> Losses.huber (a[0], a[1], c.Float "delta", r)
    | "smoothL1" -> fun a -> Losses.smoothL1 (a[0], a[1], c.Float "beta", r)
    | "bce" -> fun a -> Losses.binaryCrossEntropy (a[0], a[1], ?weight = opt a 2, reduction = r)
    | "bceLogits" ->
        fun a ->
            Losses.binaryCrossEntropyWithLogits (
                a[0],
                a[1],
                ?weight = opt a 2,
                ?posWeight = opt a 3,
                reduction = r
            )
    | "crossEntropy" ->
        fun a ->
            Losses.crossEntropy (
                a[0],
                a[1],
                ?weight = opt a 2,
                ignoreIndex = ignore,
                labelSmoothing = smoothing,
                reduction = r
            )
    | "nll" -> fun a -> Losses.nll (a[0], a[1], ?weight = opt a 2, reduction = r)
    | "klDiv" -> fun a -> Losses.klDiv (a[0], a[1], (c.Has "logTarget" && c.Bool "logTarget"), r)
    | "cosineEmbedding" -> fun a -> Losses.cosineEmbedding (a[0], a[1], a[2], c.Float "margin", r)
    | op -> failwith $"no loss for {op}"

let private randn (seed: int) (shape: int list) =
    Tensor.randn (Rng.seed seed, shape, Float64)

/// (name, loss of the arguments, arguments) checked by GradCheck in every float argument.
let private gradChecks: (string * (Tensor[] -> Tensor) * Tensor[]) list =
    let labels = Tensor.create ([ 2L; 0L; 1L ], Int64)
    let probs = Tensor.sigmoid (randn 3 [ 3; 2 ])
    let soft = Tensor.softmax (randn 4 [ 3; 3 ], -1)

    [
        "mse", (fun a -> Losses.mse (a[0], a[1])), [| randn 1 [ 3; 2 ]; randn 2 [ 3; 2 ] |]
        "mae", (fun a -> Losses.mae (a[0], a[1], Reduction.Sum)), [| randn 1 [ 3; 2 ]; randn 2 [ 3; 2 ] |]
        "huber", (fun a -> Losses.huber (a[0], a[1], 0.7)), [| randn 1 [ 3; 2 ]; randn 2 [ 3; 2 ] |]
        "bce",
        (fun a -> Losses.binaryCrossEntropy (a[0], a[1])),
        [| probs; Tensor.sigmoid (randn 5 [ 3; 2 ]) |]
        "bce with logits",
        (fun a ->
            Losses.binaryCrossEntropyWithLogits (
                a[0],
                a[1],
                posWeight = Tensor.create ([ 2.0; 0.5 ], Float64)
            )),
        [| randn 1 [ 3; 2 ]; probs |]
        "cross-entropy (indices, weights, smoothing)",
        (fun a ->
            Losses.crossEntropy (
                a[0],
                labels,
                weight = Tensor.create ([ 1.0; 2.0; 0.5 ], Float64),
                labelSmoothing = 0.1
            )),
        [| randn 1 [ 3; 3 ] |]
        "cross-entropy (probabilities)",
        (fun a -> Losses.crossEntropy (a[0], a[1])),
        [| randn 1 [ 3; 3 ]; soft |]
        "nll",
        (fun a -> Losses.nll (Tensor.logSoftmax (a[0], 1), labels, reduction = Reduction.None)),
        [| randn 1 [ 3; 3 ] |]
        "klDiv",
        (fun a -> Losses.klDiv (Tensor.logSoftmax (a[0], -1), a[1], reduction = Reduction.BatchMean)),
        [| randn 1 [ 3; 3 ]; soft |]
        "cosineEmbedding",
        (fun a -> Losses.cosineEmbedding (a[0], a[1], Tensor.create ([ 1L; -1L; -1L ], Int64), 0.1)),
        [| randn 1 [ 3; 4 ]; randn 2 [ 3; 4 ] |]
    ]

[<Tests>]
let tests =
    testList
        "Losses"
        [
            TorchFixture.tests "losses" resolve

            testList
                "GradCheck"
                [ for name, f, args in gradChecks -> test name { GradCheck.checkArgs f args } ]

            test "stable for large logits" {
                let x = Tensor.create [ [ 1000.0; -1000.0; 0.0 ] ]
                let ce = Losses.crossEntropy (x, Tensor.create ([ 1L ], Int64))
                TestUtil.expectScalar 1e-3 ce 2000.0 "cross-entropy of a wrong confident class"

                let bce =
                    Losses.binaryCrossEntropyWithLogits (
                        x,
                        Tensor.create [ [ 0.0; 1.0; 1.0 ] ],
                        reduction = Reduction.Sum
                    )

                TestUtil.expectScalar 1e-3 bce (2000.0 + log 2.0) "BCE with logits"

                let g =
                    Diff.grad (fun x -> Losses.crossEntropy (x, Tensor.create ([ 1L ], Int64))) x

                Expect.isTrue (g.ToArray<float32>() |> Array.forall System.Single.IsFinite) "finite gradient"
            }

            test
                "the fused cross-entropy (logits [N; C], indices, mean) equals the general formula to second order" {
                let x = randn 7 [ 5; 4 ] |> fun t -> t.ToDtype Float64
                let labels = Tensor.create ([ 0L; 3L; -100L; 1L; 3L ], Int64)
                let fused (x: Tensor) = Losses.crossEntropy (x, labels)
                // Class weights of 1 take the general path: log-softmax, gather, mask and a weighted mean.
                let general (x: Tensor) =
                    Losses.crossEntropy (x, labels, weight = Tensor.ones ([ 4 ], Float64))

                TestUtil.expectClose
                    1e-12
                    (fused x)
                    (general x)
                    "value (the ignored target counts for nothing)"

                TestUtil.expectClose 1e-12 (Diff.grad fused x) (Diff.grad general x) "gradient"
                let v = randn 8 [ 5; 4 ] |> fun t -> t.ToDtype Float64

                TestUtil.expectClose
                    1e-10
                    (Diff.hvp fused x v)
                    (Diff.hvp general x v)
                    "Hessian-vector product"

                GradCheck.check fused x

                let allIgnored =
                    Losses.crossEntropy (x, Tensor.create ([ -100L; -100L; -100L; -100L; -100L ], Int64))

                Expect.isTrue
                    (System.Double.IsNaN(allIgnored.ToDouble()))
                    "NaN when every target is ignored, as PyTorch"

                TestUtil.throwsArgument [ "crossEntropy"; "[0, 7]"; "4 classes" ] (fun () ->
                    Losses.crossEntropy (x, Tensor.create ([ 0L; 7L; 1L; 1L; 1L ], Int64)) |> ignore)
            }

            test
                "the fused cross-entropy's gradient on a [128; 10] batch (short-row softmax) equals libtorch autograd" {
                let x = randn 9 [ 128; 10 ]
                let targets = Array.init 128 (fun i -> int64 ((i * 7) % 10))
                let labels = Tensor.create (targets, Int64)
                let ours = Diff.grad (fun x -> Losses.crossEntropy (x, labels)) x

                let xt =
                    TorchSharp.torch
                        .tensor(x.ToArray<float32>(), dimensions = System.ReadOnlySpan [| 128L; 10L |])
                        .requires_grad_
                        true

                let loss =
                    TorchSharp.torch.nn.functional.cross_entropy (
                        xt,
                        TorchSharp.torch.tensor (targets: int64[])
                    )

                loss.backward ()

                let theirs =
                    Tensor.create(xt.grad.data<float32>().ToArray(), Float32).Reshape [ 128; 10 ]

                TestUtil.expectClose 1e-7 ours theirs "gradient"
            }

            test "integer and one-hot targets agree" {
                let z = randn 1 [ 4; 3 ]
                let labels = Tensor.create ([ 0L; 2L; 2L; 1L ], Int64)

                let onehot =
                    Tensor.create (
                        [ [ 1.0; 0.0; 0.0 ]; [ 0.0; 0.0; 1.0 ]; [ 0.0; 0.0; 1.0 ]; [ 0.0; 1.0; 0.0 ] ],
                        Float64
                    )

                let a = Losses.crossEntropy (z, labels, labelSmoothing = 0.2)
                let b = Losses.crossEntropy (z, onehot, labelSmoothing = 0.2)
                TestUtil.expectClose 1e-12 a b "same loss"
            }

            test "L1 and L2 regularization of a Params" {
                let p =
                    Params.ofList
                        [
                            "a.weight", Tensor.create ([ 1.0; -2.0 ], Float64)
                            "b", Tensor.create ([ [ 3.0 ] ], Float64)
                        ]

                TestUtil.expectScalar 1e-12 (Regularization.l1 p) 6.0 "Σ|θ|"
                TestUtil.expectScalar 1e-12 (Regularization.l2 p) 14.0 "Σθ²"
                let g = DiffParams.grad Regularization.l2 p

                TestUtil.expectClose
                    1e-12
                    (g.Get "a.weight")
                    (Tensor.create ([ 2.0; -4.0 ], Float64))
                    "∇ = 2θ"

                let g1 = DiffParams.grad Regularization.l1 p
                TestUtil.expectClose 1e-12 (g1.Get "b") (Tensor.create ([ [ 1.0 ] ], Float64)) "∇ = sign θ"
                TestUtil.expectScalar 0.0 (Regularization.l2 Params.empty) 0.0 "empty tree"
            }

            test "bad shapes and targets name the loss" {
                TestUtil.throwsArgument [ "mse"; "[2; 3]"; "[3; 2]" ] (fun () ->
                    Losses.mse (Tensor.zeros [ 2; 3 ], Tensor.zeros [ 3; 2 ]))

                TestUtil.throwsArgument [ "crossEntropy"; "[4; 1]"; "[4; 3]"; "[4]" ] (fun () ->
                    Losses.crossEntropy (Tensor.zeros [ 4; 3 ], Tensor.zeros ([ 4; 1 ], Int64)))

                TestUtil.throwsArgument [ "binaryCrossEntropy"; "1.5"; "[0, 1]"; "WithLogits" ] (fun () ->
                    Losses.binaryCrossEntropy (Tensor.create [ 0.5; 1.5 ], Tensor.create [ 1.0; 0.0 ]))

                TestUtil.throwsArgument [ "crossEntropy"; "3 classes" ] (fun () ->
                    Losses.crossEntropy (Tensor.zeros [ 2; 3 ], Tensor.create ([ 0L; 3L ], Int64)))

                TestUtil.throwsArgument [ "crossEntropy"; "weights"; "[3]" ] (fun () ->
                    Losses.crossEntropy (
                        Tensor.zeros [ 2; 3 ],
                        Tensor.create ([ 0L; 1L ], Int64),
                        weight = Tensor.ones [ 2 ]
                    ))
            }
        ]
