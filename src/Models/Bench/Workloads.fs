/// The benchmarked computations, each written twice: with Functional (`Diff` over `Tensor`) and with
/// TorchSharp's own autograd (`requires_grad` leaves, `torch.autograd.grad`) on the same libtorch.
module Functional.Models.Bench.Workloads

open TorchSharp
open Functional

/// A computation to time with both libraries.
type Workload =
    {
        /// Name of the measure (a key of artifacts/bench.json).
        Name: string
        /// What is measured.
        Description: string
        /// One call with Functional.
        Ours: unit -> unit
        /// The same call with TorchSharp's autograd (or raw TorchSharp ops when nothing is differentiated).
        Peer: unit -> unit
        /// Target for ours / peer, if any.
        Target: float option
    }

/// TorchSharp's gradient of `output` with respect to `input` (no accumulation into `.grad`).
let private torchGrad (output: torch.Tensor) (input: torch.Tensor) (createGraph: bool) : torch.Tensor =
    (torch.autograd.grad ([| output |], [| input |], retain_graph = createGraph, create_graph = createGraph))[0]

// ---- grad_mlp_b128 -------------------------------------------------------------------------------

/// The data of a 784-256-128-10 MLP (relu) with a mean squared error against one-hot targets, batch 128.
type private MlpData =
    {
        X: float32[,]
        W1: float32[,]
        B1: float32[,]
        W2: float32[,]
        B2: float32[,]
        W3: float32[,]
        B3: float32[,]
        Y: float32[,]
    }

let private mlpData =
    lazy
        {
            X = Data.matrix 1 128 784 1.0
            W1 = Data.matrix 2 784 256 (1.0 / sqrt 784.0)
            B1 = Data.matrix 3 1 256 0.1
            W2 = Data.matrix 4 256 128 (1.0 / sqrt 256.0)
            B2 = Data.matrix 5 1 128 0.1
            W3 = Data.matrix 6 128 10 (1.0 / sqrt 128.0)
            B3 = Data.matrix 7 1 10 0.1
            Y = Data.oneHot 8 128 10
        }

/// TorchSharp's autograd gradient of the MLP loss with respect to W1.
let private peerMlp () =
    let d = mlpData.Force()
    let p t = Data.peer t false
    let x, b1, w2, b2, w3, b3, y = p d.X, p d.B1, p d.W2, p d.B2, p d.W3, p d.B3, p d.Y
    let w1 = Data.peer d.W1 true

    fun () ->
        let h1 = x.matmul(w1).add(b1).relu()
        let h2 = h1.matmul(w2).add(b2).relu()
        let e = h2.matmul(w3).add(b3).sub(y)
        let loss = e.mul(e).mean()
        torchGrad loss w1 false |> ignore

/// grad of the MLP loss with respect to the first layer's weights (200,704 of the 235,146 parameters;
/// the backward pass runs through all three layers).
let mlp () : Workload =
    let d = mlpData.Force()
    let o = Data.ours
    let x, b1, w2, b2, w3, b3, y = o d.X, o d.B1, o d.W2, o d.B2, o d.W3, o d.B3, o d.Y
    let w1 = o d.W1

    let loss (w1: Tensor) =
        let h1 = Tensor.relu (Tensor.matmul (x, w1) + b1)
        let h2 = Tensor.relu (Tensor.matmul (h1, w2) + b2)
        let e = Tensor.matmul (h2, w3) + b3 - y
        Tensor.mean (e * e)

    {
        Name = "grad_mlp_b128"
        Description = "grad of a 784-256-128-10 relu MLP loss, batch 128"
        Ours = fun () -> Diff.grad loss w1 |> ignore
        Peer = peerMlp ()
        Target = Some 1.0
    }

/// The floor for grad_mlp_b128: the same gradient by a hand-written reverse sweep over raw TorchSharp
/// ops (the ops our rules run, no differentiation machinery at all) against TorchSharp's autograd.
let mlpBare () : Workload =
    let d = mlpData.Force()
    let p t = Data.peer t false

    let x, w1, b1, w2, b2, w3, b3, y =
        p d.X, p d.W1, p d.B1, p d.W2, p d.B2, p d.W3, p d.B3, p d.Y

    let xt, w2t, w3t = x.t (), w2.t (), w3.t ()
    let one, scale = Scalar.op_Implicit 1, Scalar.op_Implicit (1.0 / 1280.0)

    let bare () =
        let h1 = x.matmul(w1).add(b1, one).relu()
        let h2 = h1.matmul(w2).add(b2, one).relu()
        let e = h2.matmul(w3).add(b3, one).sub(y)
        let loss = e.mul(e).sum().mul(scale)
        let g = torch.ones_like(loss).mul(scale).expand([| 128L; 10L |])
        let ge = g.mul(e).add(g.mul (e), one)
        let g2 = ge.matmul(w3t).mul(h2.sign ())
        let g1 = g2.matmul(w2t).mul(h1.sign ())
        xt.matmul g1 |> ignore

    {
        Name = "grad_mlp_bare"
        Description = "(floor) the same by a hand-written raw sweep"
        Ours = bare
        Peer = peerMlp ()
        Target = None
    }

// ---- grad_tanh_512 and hvp -----------------------------------------------------------------------

/// The inputs of f(x) = sum(tanh(W x)²) with W 512x512 and x, v of shape [512; 1].
type private TanhData =
    {
        W: float32[,]
        X: float32[,]
        V: float32[,]
    }

let private tanhData =
    lazy
        {
            W = Data.matrix 11 512 512 (1.0 / sqrt 512.0)
            X = Data.matrix 12 512 1 1.0
            V = Data.matrix 13 512 1 1.0
        }

/// f(x) = sum(tanh(W x)²) with our tensors.
let private oursTanh (w: Tensor) (x: Tensor) =
    let t = Tensor.tanh (Tensor.matmul (w, x))
    Tensor.sum (t * t)

/// f(x) = sum(tanh(W x)²) with TorchSharp tensors.
let private peerTanh (w: torch.Tensor) (x: torch.Tensor) =
    let t = w.matmul(x).tanh()
    t.mul(t).sum()

/// Our grad of f (the call timed by grad_tanh_512 and the denominator of hvp_over_grad).
let private oursTanhGrad () =
    let d = tanhData.Force()
    let w, x = Data.ours d.W, Data.ours d.X
    fun () -> Diff.grad (oursTanh w) x |> ignore

/// TorchSharp's grad of f.
let private peerTanhGrad () =
    let d = tanhData.Force()
    let w, x = Data.peer d.W false, Data.peer d.X true
    fun () -> torchGrad (peerTanh w x) x false |> ignore

/// grad of f(x) = sum(tanh(W x)²), W 512x512: small enough that per-op overhead shows.
let tanh512 () : Workload =
    {
        Name = "grad_tanh_512"
        Description = "grad of sum(tanh(W x)^2), W 512x512"
        Ours = oursTanhGrad ()
        Peer = peerTanhGrad ()
        Target = Some 1.10
    }

/// Our Hessian-vector product of f (forward-over-reverse).
let oursTanhHvp () =
    let d = tanhData.Force()
    let w, x, v = Data.ours d.W, Data.ours d.X, Data.ours d.V
    fun () -> Diff.hvp (oursTanh w) x v |> ignore

/// TorchSharp's Hessian-vector product of f (double backward: grad with create_graph, then grad of grad·v).
let peerTanhHvp () =
    let d = tanhData.Force()
    let w, x, v = Data.peer d.W false, Data.peer d.X true, Data.peer d.V false

    fun () ->
        let g = torchGrad (peerTanh w x) x true
        torchGrad (g.mul(v).sum()) x false |> ignore

/// Our hvp against TorchSharp's double backward, on f(x) = sum(tanh(W x)²).
let hvp () : Workload =
    {
        Name = "hvp_tanh_512"
        Description = "hvp of sum(tanh(W x)^2) vs double backward"
        Ours = oursTanhHvp ()
        Peer = peerTanhHvp ()
        Target = None
    }

/// The grad calls whose costs divide the hvp costs (ours, peer).
let tanhGrads () = oursTanhGrad (), peerTanhGrad ()

// ---- per-op overhead on scalars ------------------------------------------------------------------

/// Number of ops in a scalar chain.
let chainLength = 1000

/// A chain of `chainLength` scalar ops, alternating x * a and x + b, with our tensors (no derivative).
let scalarOps () : Workload =
    let ours =
        let x0, a, b = Tensor.scalar 0.5, Tensor.scalar 0.999, Tensor.scalar 0.001

        fun () ->
            let mutable x = x0

            for _ in 1 .. chainLength / 2 do
                x <- x * a + b

    let peer =
        let x0, a, b = torch.tensor 0.5f, torch.tensor 0.999f, torch.tensor 0.001f

        fun () ->
            let mutable x = x0

            for _ in 1 .. chainLength / 2 do
                x <- x.mul(a).add(b)

    {
        Name = "scalar_ops"
        Description = $"{chainLength} scalar ops (mul, add), no derivative"
        Ours = ours
        Peer = peer
        Target = None
    }

/// grad of the same chain of scalar ops, as a function of x.
let scalarGrad () : Workload =
    let ours =
        let x0, a, b = Tensor.scalar 0.5, Tensor.scalar 0.999, Tensor.scalar 0.001

        let chain (x: Tensor) =
            let mutable x = x

            for _ in 1 .. chainLength / 2 do
                x <- x * a + b

            x

        fun () -> Diff.grad chain x0 |> ignore

    let peer =
        let x0, a, b =
            torch.tensor(0.5f).requires_grad_ true, torch.tensor 0.999f, torch.tensor 0.001f

        fun () ->
            let mutable x = x0

            for _ in 1 .. chainLength / 2 do
                x <- x.mul(a).add(b)

            torchGrad x x0 false |> ignore

    {
        Name = "scalar_ops_grad"
        Description = $"grad of {chainLength} scalar ops (mul, add)"
        Ours = ours
        Peer = peer
        Target = None
    }
