/// Cross-entropy of logits [N; C] against class indices [N], averaged over the kept targets, as one primitive
/// (PyTorch's log_softmax + nll_loss): the usual classification loss costs one forward kernel and a two-term
/// derivative instead of a chain of gather, mask and reduction ops.
module internal Functional.Ops.CrossEntropy

open TorchSharp
open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic
open Functional.Ops.Reductions

/// The target index that counts for nothing (PyTorch's default ignore_index).
let ignoredIndex = -100L

/// ∂loss/∂x = (softmax x - onehot t) · keep / k (k kept targets); onehot and keep/k are constants, so the
/// derivative is itself differentiable in x to any order.
let private gradient (target: Value) (x: Value) : Value =
    let onehot =
        constant
            "crossEntropy"
            (fun r ->
                let keep = r[1].ne(scalar (float ignoredIndex))
                torch.nn.functional.one_hot(r[1] * keep, r[0].shape[1]).to_type r[0].dtype)
            [| x; target |]

    let scaledKeep =
        constant
            "crossEntropy"
            (fun r ->
                let keep = r[1].ne(scalar (float ignoredIndex)).to_type r[0].dtype
                (keep / keep.sum ()).unsqueeze 1)
            [| x; target |]

    mul (sub (Softmax.softmax 1 x) onehot) scaledKeep

/// True when no target equals `ignoredIndex` (and the batch is not empty): one reduction and a read.
let private noTargetIgnored (t: Raw) : bool =
    t.NumberOfElements > 0L
    && (use smallest = t.min ()
        smallest.item<int64>() >= 0L)

/// g · (softmax x - onehot t) / N for a batch without ignored targets, in five kernels, when neither x nor g
/// carries a derivative (plain reverse mode): the result need not be differentiable, so it is computed
/// in place on the fresh softmax instead of through the `gradient` ops.
let private firstOrderGradient (target: Value) (x: Value) (g: Value) : Value =
    constant
        "crossEntropy"
        (fun r ->
            let out = Softmax.rawSoftmax 1L r[0]
            use onehot = torch.nn.functional.one_hot (r[1], r[0].shape[1])
            out.sub_(onehot).mul_(r[2]).div_(scalar (float r[0].shape[0])))
        [| x; target; g |]

/// mean over kept n of -log softmax(x)[n, t[n]] for logits x [N; C] and Int64 targets t [N] in [0, C) or
/// equal to `ignoredIndex`; NaN when every target is ignored (as PyTorch).
let crossEntropy (x: Value) (target: Value) : Value =
    let t = Value.raw target

    unary
        "crossEntropy"
        (fun r -> torch.nn.functional.cross_entropy (r, t, ignore_index = ignoredIndex))
        (fun x _ dx -> sum (mul dx (gradient target x)))
        (fun x _ g ->
            match x, g with
            | Const _, Const _ when noTargetIgnored t -> firstOrderGradient target x g
            | _ -> mul g (gradient target x))
        x
