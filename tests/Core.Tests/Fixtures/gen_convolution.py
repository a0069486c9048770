"""PyTorch reference values for convolutions (see torch_fixture.py).

Each configuration is recorded twice: the op itself (outputs and gradients; its Hessian is zero, the op
being linear or piecewise linear) and its square ("square": true), whose Hessian-vector products are
nonzero, so the rules' own rules are checked against PyTorch too.
Spatial parameters are stored as lists with one value per spatial dimension.
"""
import torch
import torch.nn.functional as F
from torch_fixture import case, write

g = torch.Generator().manual_seed(3)


def randn(*shape):
    return torch.randn(*shape, generator=g)


cases = []


def add(op, fn, args, params):
    for square in (False, True):
        f = (lambda *a: fn(*a) ** 2) if square else fn
        cases.append(case(op, f, args, dict(params, square=square), second=square, seed=len(cases)))


def conv(op, x, w, bias, stride, padding, dilation, groups, output_padding=None):
    nd = x.dim() - 2
    params = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups,
              "bias": bias is not None}
    args = [x, w] + ([bias] if bias is not None else [])
    torch_fn = {"conv1d": F.conv1d, "conv2d": F.conv2d,
                "convTranspose1d": F.conv_transpose1d, "convTranspose2d": F.conv_transpose2d}[op]
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    if output_padding is not None:
        params["outputPadding"] = output_padding
        kw["output_padding"] = output_padding
    assert len(stride) == nd

    def fn(x, w, b=None):
        return torch_fn(x, w, b, **kw)

    add(op, fn, args, params)


# conv1d: stride / padding / dilation / groups, with and without bias
conv("conv1d", randn(2, 4, 7), randn(6, 2, 3), randn(6), [2], [1], [2], 2)
conv("conv1d", randn(1, 3, 5), randn(2, 3, 2), None, [1], [0], [1], 1)
# conv2d: asymmetric stride / padding, grouped and dilated, depthwise
conv("conv2d", randn(2, 3, 5, 6), randn(4, 3, 3, 2), randn(4), [1, 2], [1, 0], [1, 1], 1)
conv("conv2d", randn(1, 4, 6, 5), randn(6, 2, 2, 3), randn(6), [2, 2], [1, 1], [2, 2], 2)
conv("conv2d", randn(2, 2, 4, 4), randn(2, 1, 3, 3), None, [1, 1], [1, 1], [1, 1], 2)
# transposed convolutions: output padding < stride, grouped + dilated, and output padding >= stride (< dilation)
conv("convTranspose1d", randn(2, 2, 4), randn(2, 3, 3), randn(3), [2], [1], [1], 1, [1])
conv("convTranspose2d", randn(2, 4, 3, 3), randn(4, 3, 3, 2), randn(3), [2, 1], [1, 0], [1, 1], 1, [1, 0])
conv("convTranspose2d", randn(1, 4, 3, 4), randn(4, 1, 2, 3), randn(2), [2, 2], [1, 1], [2, 2], 2, [1, 1])
conv("convTranspose2d", randn(1, 2, 3, 3), randn(2, 2, 2, 2), None, [1, 1], [0, 0], [2, 2], 1, [1, 1])

write("convolution", cases)
