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

/// mean over kept n of -log softmax(x)[n, t[n]] for logits x [N; C] and Int64 targets t [N] in [0, C) or
/// equal to `ignoredIndex`; NaN when every target is ignored (as PyTorch).
let crossEntropy (x: Value) (target: Value) : Value =
    let t = Value.raw target

    unary
        "crossEntropy"
        (fun r -> torch.nn.functional.cross_entropy (r, t, ignore_index = ignoredIndex))
        (fun x _ dx -> sum (mul dx (gradient target x)))
        (fun x _ g -> mul g (gradient target x))
        x
