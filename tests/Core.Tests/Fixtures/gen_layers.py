"""PyTorch 1.13 reference values for the layers and losses (tests/Core.Tests/Layers, LossesTests.fs).

Run from anywhere with Debian's interpreter: /usr/bin/python3 tests/Core.Tests/Fixtures/gen_layers.py
Writes layers.json and losses.json next to this script (case format: torch_fixture.py).

Layer cases call a torch.nn module with torch.nn.utils.stateless.functional_call, so every parameter is
an argument of the case: args = inputs, then the parameters (case param "names", PyTorch's names), then
buffers such as batch norm's running statistics (case param "state", held fixed). Case param "inputs" is
the number of leading input arguments. Arguments listed in `fixed` are not differentiated (class weights,
masks, targets whose derivative PyTorch does not implement).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.stateless import functional_call

import json
import os

from torch_fixture import HERE, case, tensor_json

torch.set_default_dtype(torch.float64)
GEN = torch.Generator().manual_seed(2024)


def randn(*shape, scale=1.0):
    return torch.randn(*shape, generator=GEN) * scale


def case_fixed(op, fn, args, fixed=(), params=None, seed=0):
    """`case` with the arguments at the `fixed` indices held constant (recorded but not differentiated)."""
    free = [i for i in range(len(args)) if i not in fixed]

    def g(*xs):
        full = list(args)
        for k, i in enumerate(free):
            full[i] = xs[k]
        return fn(*full)

    c = case(op, g, [args[i] for i in free], params, seed=seed)
    c["args"] = [tensor_json(a) for a in args]
    c["differentiable"] = [free[i] for i in c["differentiable"]]
    return c


def module_case(op, module, inputs, params=None, state=(), fixed_inputs=(), call=None, seed=0):
    """A case for `module` applied to `inputs` with random parameters (scale 0.5) given as arguments."""
    names = [n for n, _ in module.named_parameters()]
    values = [randn(*p.shape, scale=0.5) for _, p in module.named_parameters()]
    buffers = [dict(module.named_buffers())[n].clone() for n in state]
    k = len(inputs)
    call = call or (lambda m, xs: m(*xs))

    def fn(*args):
        tensors = {n: a for n, a in zip(names, args[k:k + len(names)])}
        for i, n in enumerate(state):
            tensors[n] = args[k + len(names) + i].clone()  # batch norm updates its buffers in place
        return call(_Bound(module, tensors), list(args[:k]))

    args = list(inputs) + values + buffers
    fixed = list(fixed_inputs) + [k + len(names) + i for i in range(len(state))]
    p = dict(params or {})
    p.update({"inputs": k, "names": names, "state": list(state)})
    return case_fixed(op, fn, args, fixed, p, seed=seed)


class _Bound:
    """Calls a module with substituted parameters and buffers."""

    def __init__(self, module, tensors):
        self.module, self.tensors = module, tensors

    def __call__(self, *xs, **kw):
        if isinstance(self.module, nn.RNNBase):
            # functional_call does not reach the weight list RNN modules run on in PyTorch 1.13.
            self.module._flat_weights = [self.tensors[n] for n in self.module._flat_weights_names]
            return self.module(*xs, **kw)
        return functional_call(self.module, self.tensors, tuple(xs), kw)


def layers():
    cs = []
    # Dense.
    cs.append(module_case("dense", nn.Linear(4, 5), [randn(3, 4)], {"out": 5}))
    cs.append(module_case("dense", nn.Linear(4, 2, bias=False), [randn(2, 3, 4)], {"out": 2, "bias": False}))
    # Convolutions.
    cs.append(module_case("conv1d", nn.Conv1d(3, 4, 3, stride=2, padding=1), [randn(2, 3, 7)],
                          {"out": 4, "kernel": 3, "stride": 2, "padding": 1, "dilation": 1, "groups": 1}))
    cs.append(module_case("conv2d", nn.Conv2d(2, 3, 3, padding=1), [randn(2, 2, 5, 5)],
                          {"out": 3, "kernel": 3, "stride": 1, "padding": 1, "dilation": 1, "groups": 1}))
    cs.append(module_case("conv2d", nn.Conv2d(2, 4, 2, stride=2, dilation=2, groups=2, bias=False),
                          [randn(1, 2, 7, 7)],
                          {"out": 4, "kernel": 2, "stride": 2, "padding": 0, "dilation": 2, "groups": 2,
                           "bias": False}))
    cs.append(module_case("convTranspose2d", nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1),
                          [randn(2, 3, 3, 3)],
                          {"out": 2, "kernel": 3, "stride": 2, "padding": 1, "outputPadding": 1}))
    # Pooling.
    cs.append(case("maxPool2d", lambda x: F.max_pool2d(x, 2), [randn(2, 2, 4, 4)], {"kernel": 2, "stride": 2,
                                                                                     "padding": 0}))
    cs.append(case("maxPool2d", lambda x: F.max_pool2d(x, 3, 2, 1), [randn(1, 2, 5, 5)],
                   {"kernel": 3, "stride": 2, "padding": 1}))
    cs.append(case("avgPool2d", lambda x: F.avg_pool2d(x, 2), [randn(2, 2, 4, 4)],
                   {"kernel": 2, "stride": 2, "padding": 0, "countIncludePad": True}))
    cs.append(case("avgPool2d", lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), [randn(1, 2, 5, 5)],
                   {"kernel": 3, "stride": 2, "padding": 1, "countIncludePad": False}))
    cs.append(case("globalAvgPool", lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1), [randn(2, 3, 4, 5)]))
    # Normalization (train mode uses batch statistics; eval mode the running statistics).
    bn = nn.BatchNorm1d(3)
    bn.running_mean.copy_(randn(3, scale=0.3))
    bn.running_var.copy_(randn(3).abs() + 0.5)
    cs.append(module_case("batchNormTrain", bn.train(), [randn(4, 3, 5)], state=("running_mean", "running_var")))
    bn2 = nn.BatchNorm2d(2)
    bn2.running_mean.copy_(randn(2, scale=0.3))
    bn2.running_var.copy_(randn(2).abs() + 0.5)
    cs.append(module_case("batchNormTrain", bn2.train(), [randn(3, 2, 3, 3)], state=("running_mean", "running_var")))
    bn4 = nn.BatchNorm1d(3)
    bn4.running_mean.copy_(randn(3, scale=0.3))
    bn4.running_var.copy_(randn(3).abs() + 0.5)

    def running(b, xs):
        b(*xs)  # updates the buffers in place
        return torch.cat([b.tensors["running_mean"], b.tensors["running_var"]])

    cs.append(module_case("batchNormRunning", bn4.train(), [randn(4, 3)], state=("running_mean", "running_var"),
                          call=running))
    bn3 = nn.BatchNorm2d(2)
    bn3.running_mean.copy_(randn(2, scale=0.3))
    bn3.running_var.copy_(randn(2).abs() + 0.5)
    cs.append(module_case("batchNormEval", bn3.eval(), [randn(3, 2, 3, 3)], state=("running_mean", "running_var")))
    cs.append(module_case("layerNorm", nn.LayerNorm(4), [randn(2, 3, 4)], {"dims": 1}))
    cs.append(module_case("layerNorm", nn.LayerNorm([3, 4], eps=1e-3), [randn(2, 3, 4)], {"dims": 2, "eps": 1e-3}))
    # Embedding (integer indices are held fixed; the padding row gets no gradient).
    idx = torch.tensor([[0, 2, 5], [1, 1, 3]])
    cs.append(module_case("embedding", nn.Embedding(6, 4), [idx], {"num": 6, "dim": 4}))
    cs.append(module_case("embedding", nn.Embedding(6, 4, padding_idx=1), [idx], {"num": 6, "dim": 4, "padding": 1}))
    # Recurrent layers: the output sequence and the final states, flattened and concatenated.
    def flat_out(out):
        y, h = out
        parts = [y] + (list(h) if isinstance(h, tuple) else [h])
        return torch.cat([p.reshape(-1) for p in parts])

    for kind, cls, extra in [("rnn", nn.RNN, {}), ("rnnRelu", nn.RNN, {"nonlinearity": "relu"}),
                             ("lstm", nn.LSTM, {}), ("gru", nn.GRU, {})]:
        m = cls(3, 4, batch_first=True, **extra)
        cs.append(module_case(kind, m, [randn(2, 3, 3)], {"hidden": 4, "layers": 1, "bidirectional": False},
                              call=lambda b, xs: flat_out(b(*xs))))
        m2 = cls(3, 3, num_layers=2, bidirectional=True, batch_first=True, **extra)
        h0 = randn(4, 2, 3, scale=0.5)
        if kind == "lstm":
            c0 = randn(4, 2, 3, scale=0.5)
            cs.append(module_case(kind + "State", m2, [randn(2, 3, 3), h0, c0],
                                  {"hidden": 3, "layers": 2, "bidirectional": True},
                                  call=lambda b, xs: flat_out(b(xs[0], (xs[1], xs[2])))))
        else:
            cs.append(module_case(kind + "State", m2, [randn(2, 3, 3), h0],
                                  {"hidden": 3, "layers": 2, "bidirectional": True},
                                  call=lambda b, xs: flat_out(b(xs[0], xs[1]))))
    # The recurrent layers as models (final hidden state of the last layer, both directions).
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    cs.append(module_case("lstmLast", m, [randn(2, 3, 3)], {"hidden": 4, "layers": 2, "bidirectional": True},
                          call=lambda b, xs: torch.cat([b(*xs)[1][0][-2], b(*xs)[1][0][-1]], -1)))
    # Multi-head attention (batch first; output only).
    def mha(b, xs, **kw):
        return b(*xs, need_weights=False, **kw)[0]

    cs.append(module_case("selfAttention", nn.MultiheadAttention(8, 2, batch_first=True), [randn(2, 4, 8)],
                          {"heads": 2}, call=lambda b, xs: mha(b, [xs[0], xs[0], xs[0]])))
    causal = torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)
    cs.append(module_case("selfAttentionMask", nn.MultiheadAttention(8, 2, batch_first=True),
                          [randn(2, 4, 8), causal], {"heads": 2},
                          call=lambda b, xs: mha(b, [xs[0], xs[0], xs[0]], attn_mask=xs[1])))
    padding = torch.tensor([[False, False, True, True, False], [False, False, False, False, True]])
    cs.append(module_case("crossAttention", nn.MultiheadAttention(8, 4, batch_first=True),
                          [randn(2, 3, 8), randn(2, 5, 8), randn(2, 5, 8), randn(3, 5, scale=0.5), padding],
                          {"heads": 4}, fixed_inputs=(3,),
                          call=lambda b, xs: mha(b, xs[:3], attn_mask=xs[3], key_padding_mask=xs[4])))
    # Transformer encoder layers (dropout 0).
    cs.append(module_case("transformer", nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True),
                          [randn(2, 3, 8)], {"heads": 2, "ff": 16, "gelu": False, "normFirst": False,
                                             "causal": False}))
    cs.append(module_case("transformer",
                          nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu", norm_first=True,
                                                     batch_first=True),
                          [randn(2, 3, 8)], {"heads": 2, "ff": 16, "gelu": True, "normFirst": True, "causal": True},
                          call=lambda b, xs: b(xs[0], src_mask=torch.triu(torch.ones(3, 3, dtype=torch.bool), 1))))
    # Activations.
    x = randn(2, 5)
    cs.append(case("relu", F.relu, [x]))
    cs.append(case("sigmoid", torch.sigmoid, [x]))
    cs.append(case("tanh", torch.tanh, [x]))
    cs.append(case("leakyRelu", lambda t: F.leaky_relu(t, 0.2), [x], {"slope": 0.2}))
    cs.append(case("elu", lambda t: F.elu(t, 0.7), [x], {"alpha": 0.7}))
    cs.append(case("gelu", F.gelu, [x]))
    cs.append(case("softmax", lambda t: F.softmax(t, -1), [x]))
    cs.append(case("logSoftmax", lambda t: F.log_softmax(t, -1), [x]))
    return cs


def losses():
    cs = []
    x, t = randn(3, 4), randn(3, 4)
    for r in ["mean", "sum", "none"]:
        cs.append(case("mse", lambda a, b, r=r: F.mse_loss(a, b, reduction=r), [x, t], {"reduction": r}))
        cs.append(case("mae", lambda a, b, r=r: F.l1_loss(a, b, reduction=r), [x, t], {"reduction": r}))
    cs.append(case("huber", lambda a, b: F.huber_loss(a, b, delta=0.5), [x, t], {"reduction": "mean", "delta": 0.5}))
    cs.append(case("smoothL1", lambda a, b: F.smooth_l1_loss(a, b, beta=0.5, reduction="sum"), [x, t],
                   {"reduction": "sum", "beta": 0.5}))
    p = torch.sigmoid(randn(3, 4))
    y = torch.rand(3, 4, generator=GEN)
    w = torch.rand(4, generator=GEN) + 0.5
    cs.append(case_fixed("bce", lambda a, b: F.binary_cross_entropy(a, b), [p, y], fixed=(1,),
                         params={"reduction": "mean"}))
    cs.append(case_fixed("bce", lambda a, b, c: F.binary_cross_entropy(a, b, weight=c, reduction="sum"), [p, y, w],
                         fixed=(1, 2), params={"reduction": "sum"}))
    logits = randn(3, 4, scale=3.0)
    cs.append(case_fixed("bceLogits", lambda a, b: F.binary_cross_entropy_with_logits(a, b), [logits, y],
                         fixed=(1,), params={"reduction": "mean"}))
    cs.append(case_fixed("bceLogits",
                         lambda a, b, c, d: F.binary_cross_entropy_with_logits(a, b, weight=c, pos_weight=d,
                                                                               reduction="none"),
                         [logits, y, w, torch.rand(4, generator=GEN) + 0.5], fixed=(1, 2, 3),
                         params={"reduction": "none"}))
    z = randn(4, 5)
    labels = torch.tensor([0, 3, 4, 1])
    cw = torch.rand(5, generator=GEN) + 0.5
    cs.append(case("crossEntropy", lambda a, b: F.cross_entropy(a, b), [z, labels], {"reduction": "mean"}))
    cs.append(case_fixed("crossEntropy", lambda a, b, c: F.cross_entropy(a, b, weight=c), [z, labels, cw],
                         fixed=(2,), params={"reduction": "mean"}))
    ign = torch.tensor([0, -100, 4, 1])
    cs.append(case_fixed("crossEntropy",
                         lambda a, b, c: F.cross_entropy(a, b, weight=c, label_smoothing=0.2), [z, ign, cw],
                         fixed=(2,), params={"reduction": "mean", "smoothing": 0.2}))
    cs.append(case("crossEntropy", lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1, reduction="none"),
                   [z, labels], {"reduction": "none", "smoothing": 0.1}))
    cs.append(case("crossEntropy", lambda a, b: F.cross_entropy(a, b, ignore_index=3, reduction="sum"),
                   [z, labels], {"reduction": "sum", "ignore": 3}))
    onehot = F.one_hot(labels, 5).double()
    cs.append(case_fixed("crossEntropy", lambda a, b: F.cross_entropy(a, b), [z, onehot], fixed=(1,),
                         params={"reduction": "mean"}))
    soft = torch.softmax(randn(4, 5), -1)
    cs.append(case_fixed("crossEntropy", lambda a, b, c: F.cross_entropy(a, b, weight=c, label_smoothing=0.1),
                         [z, soft, cw], fixed=(1, 2), params={"reduction": "mean", "smoothing": 0.1}))
    zk = randn(2, 3, 4)
    lk = torch.tensor([[0, 2, 1, 1], [2, 2, 0, 1]])
    cs.append(case("crossEntropy", lambda a, b: F.cross_entropy(a, b), [zk, lk], {"reduction": "mean"}))
    cs.append(case("crossEntropy", lambda a, b: F.cross_entropy(a, b), [randn(5), torch.tensor(2)],
                   {"reduction": "mean"}))
    lp = F.log_softmax(z, -1)
    cs.append(case_fixed("nll", lambda a, b, c: F.nll_loss(a, b, weight=c, ignore_index=-100), [lp, ign, cw],
                         fixed=(2,), params={"reduction": "mean"}))
    cs.append(case("nll", lambda a, b: F.nll_loss(a, b, reduction="none"), [lp, labels], {"reduction": "none"}))
    q = torch.softmax(randn(4, 5), -1)
    for r in ["mean", "batchmean", "sum"]:
        cs.append(case("klDiv", lambda a, b, r=r: F.kl_div(a, b, reduction=r), [lp, q], {"reduction": r}))
    cs.append(case("klDiv", lambda a, b: F.kl_div(a, b, reduction="sum", log_target=True), [lp, torch.log(q)],
                   {"reduction": "sum", "logTarget": True}))
    x1, x2 = randn(4, 3), randn(4, 3)
    yy = torch.tensor([1, -1, -1, 1])
    cs.append(case("cosineEmbedding", lambda a, b, c: F.cosine_embedding_loss(a, b, c, margin=-0.3), [x1, x2, yy],
                   {"reduction": "mean", "margin": -0.3}))
    cs.append(case("cosineEmbedding", lambda a, b, c: F.cosine_embedding_loss(a, b, c, reduction="none"),
                   [x1, x2, yy], {"reduction": "none", "margin": 0.0}))
    return cs


def write(name, cases):
    """Writes `cases` to <this folder>/<name>.json, naming this generator."""
    doc = {"generator": "tests/Core.Tests/Fixtures/gen_layers.py", "torch": torch.__version__, "cases": cases}
    path = os.path.join(HERE, name + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    write("layers", layers())
    write("losses", losses())
