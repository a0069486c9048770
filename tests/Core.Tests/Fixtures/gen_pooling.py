"""PyTorch reference values for max and average pooling (see torch_fixture.py).

Each configuration is recorded twice: the op itself (outputs and gradients; its Hessian is zero, the op
being linear or piecewise linear) and its square ("square": true), whose Hessian-vector products are
nonzero, so the rules' own rules are checked against PyTorch too.
Spatial parameters are stored as lists with one value per spatial dimension.
"""
import torch
import torch.nn.functional as F
from torch_fixture import case, write

g = torch.Generator().manual_seed(4)


def randn(*shape):
    return torch.randn(*shape, generator=g)


cases = []


def add(op, fn, args, params):
    for square in (False, True):
        f = (lambda *a: fn(*a) ** 2) if square else fn
        cases.append(case(op, f, args, dict(params, square=square), second=square, seed=len(cases)))


def pool(op, x, kernel, stride, padding, dilation=None, ceil_mode=False, count_include_pad=None):
    params = {"kernel": kernel, "stride": stride, "padding": padding, "ceilMode": ceil_mode}
    if op.startswith("max"):
        params["dilation"] = dilation
        torch_fn = {"maxPool1d": F.max_pool1d, "maxPool2d": F.max_pool2d}[op]
        fn = lambda x: torch_fn(x, kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    else:
        params["countIncludePad"] = count_include_pad
        torch_fn = {"avgPool1d": F.avg_pool1d, "avgPool2d": F.avg_pool2d}[op]
        fn = lambda x: torch_fn(x, kernel, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    add(op, fn, [x], params)


pool("maxPool1d", randn(2, 3, 8), [3], [2], [1], [1])
pool("maxPool1d", randn(1, 2, 9), [2], [2], [0], [2], ceil_mode=True)
pool("maxPool2d", randn(2, 2, 5, 6), [2, 3], [1, 2], [1, 1], [1, 1])
pool("maxPool2d", randn(1, 3, 7, 6), [3, 2], [2, 2], [1, 1], [2, 1], ceil_mode=True)
pool("maxPool2d", randn(1, 1, 4, 4), [2, 2], [2, 2], [0, 0], [1, 1])
pool("avgPool1d", randn(2, 3, 7), [3], [2], [1], count_include_pad=False)
pool("avgPool2d", randn(2, 2, 5, 6), [2, 3], [1, 2], [1, 1], count_include_pad=True)
pool("avgPool2d", randn(1, 2, 5, 6), [3, 3], [2, 2], [1, 1], ceil_mode=True, count_include_pad=False)
pool("avgPool2d", randn(1, 3, 4, 4), [2, 2], [2, 2], [0, 0], count_include_pad=True)

write("pooling", cases)
