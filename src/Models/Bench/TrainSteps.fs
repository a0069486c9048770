/// End-to-end training steps: our AD + our optimizer against TorchSharp's `nn` modules, autograd and
/// `torch.optim` (same architecture, same batch, Adam, cross-entropy).
module Functional.Models.Bench.TrainSteps

open TorchSharp
open Functional
open Functional.Models.Bench.Workloads

/// Random inputs of a shape and integer class labels, as our tensors and as TorchSharp tensors.
let private batch (shape: int list) (classes: int) (seed: int) =
    let x = Tensor.randn (Rng.seed seed, shape)
    let y = Tensor.randint (Rng.seed (seed + 1), 0, classes, [ shape.Head ])
    let xs: float32[] = x.ToArray<float32>()
    let ys: int64[] = y.ToArray<int64>()

    let tx =
        (torch.tensor (rawArray = xs)).reshape(shape |> List.map int64 |> Array.ofList)

    let ty = torch.tensor (dataArray = ys)
    x, y, tx, ty

let private ourStep (model: Model) (inputShape: int list) (x: Tensor) (y: Tensor) =
    let config =
        {
            Model = model
            Loss = fun p t -> Losses.crossEntropy (p, t)
            Optimizer = Optim.adam (Rate.constant 1e-3)
            Metrics = []
        }

    // Every call is one full step (gradient + Adam update) from the same state: the harness frees each
    // call's results with a dispose scope, so the state is not carried from call to call.
    let state = TrainStep.init config (Rng.seed 3) inputShape.Tail
    fun () -> TrainStep.run config false state (x, y) |> ignore

let private peerStep
    (parameters: seq<Modules.Parameter>)
    (forward: torch.Tensor -> torch.Tensor)
    (x: torch.Tensor)
    (y: torch.Tensor)
    =
    let opt = torch.optim.Adam(parameters, lr = 1e-3)

    fun () ->
        use scope = torch.NewDisposeScope()
        opt.zero_grad ()
        let loss = torch.nn.functional.cross_entropy (forward x, y)
        loss.backward ()
        opt.step () |> ignore

/// `mlp_train_step`: a 784-256-10 relu MLP, batch 128.
let mlp () : Workload =
    let shape = [ 128; 784 ]
    let x, y, tx, ty = batch shape 10 11
    let ours = ourStep (Layers.dense 256 => Layers.relu => Layers.dense 10) shape x y
    let fc1 = torch.nn.Linear(784L, 256L)
    let fc2 = torch.nn.Linear(256L, 10L)

    let forward (t: torch.Tensor) =
        fc2.forward (torch.nn.functional.relu (fc1.forward t))

    let peer =
        peerStep (Seq.append (fc1.parameters ()) (fc2.parameters ())) forward tx ty

    {
        Name = "mlp_train_step"
        Description = "train step, MLP 784-256-10, batch 128, Adam"
        Ours = ours
        Peer = peer
        Target = Some 1.05
    }

/// `cnn_train_step`: a LeNet-style CNN on 1x28x28 images, batch 64.
let cnn () : Workload =
    let shape = [ 64; 1; 28; 28 ]
    let x, y, tx, ty = batch shape 10 21

    let model =
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

    let ours = ourStep model shape x y
    let c1 = torch.nn.Conv2d(1L, 6L, 5L, padding = 2L)
    let c2 = torch.nn.Conv2d(6L, 16L, 5L)
    let f1 = torch.nn.Linear(400L, 120L)
    let f2 = torch.nn.Linear(120L, 84L)
    let f3 = torch.nn.Linear(84L, 10L)

    let forward (t: torch.Tensor) =
        let h = torch.nn.functional.max_pool2d (torch.nn.functional.relu (c1.forward t), 2L)
        let h = torch.nn.functional.max_pool2d (torch.nn.functional.relu (c2.forward h), 2L)
        let h = h.flatten 1L
        f3.forward (torch.nn.functional.relu (f2.forward (torch.nn.functional.relu (f1.forward h))))

    let parameters =
        [
            c1.parameters ()
            c2.parameters ()
            f1.parameters ()
            f2.parameters ()
            f3.parameters ()
        ]
        |> Seq.concat

    let peer = peerStep parameters forward tx ty

    {
        Name = "cnn_train_step"
        Description = "train step, LeNet-style CNN 1x28x28, batch 64, Adam"
        Ours = ours
        Peer = peer
        Target = Some 1.05
    }
