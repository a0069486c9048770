"""PyTorch reference values for arithmetic and the first elementwise ops (see torch_fixture.py)."""
import torch
from torch_fixture import case, write

g = torch.Generator().manual_seed(1)


def randn(*shape):
    return torch.randn(*shape, generator=g)


def positive(*shape):
    return torch.rand(*shape, generator=g) + 0.5


cases = [
    case("add", torch.add, [randn(2, 3), randn(3)]),
    case("sub", torch.sub, [randn(2, 1), randn(1, 4)]),
    case("mul", torch.mul, [randn(2, 3), randn(2, 3)]),
    case("div", torch.div, [randn(3, 2), positive(2)]),
    case("pow", torch.pow, [positive(2, 3), randn(2, 3)]),
    case("powScalar", lambda x: x ** 3.0, [randn(4)], {"exponent": 3.0}),
    case("exp", torch.exp, [randn(2, 3)]),
    case("log", torch.log, [positive(5)]),
    case("tanh", torch.tanh, [randn(2, 2)]),
    case("sigmoid", torch.sigmoid, [randn(6)]),
    case("sin", torch.sin, [randn(3)]),
    case("cos", torch.cos, [randn(3)]),
    case("sqrt", torch.sqrt, [positive(4)]),
    case("relu", torch.relu, [randn(2, 4)]),
    case("sum", torch.sum, [randn(2, 3)]),
    case("sumDim", lambda x: torch.sum(x, 1, keepdim=True), [randn(2, 3)], {"dim": 1, "keepDim": True}),
    case("mean", torch.mean, [randn(3, 2)]),
    case("matmul", torch.matmul, [randn(2, 3, 4), randn(4, 5)]),
    case("transpose", lambda x: torch.transpose(x, 0, 2), [randn(2, 3, 4)], {"dim0": 0, "dim1": 2}),
    case("reshape", lambda x: torch.reshape(x, (3, -1)), [randn(2, 3, 2)], {"shape": [3, -1]}),
    case("neg", torch.neg, [randn(2, 3)]),
    # neg of x^3, so that the Hessian-vector product is not zero.
    case("negCube", lambda x: torch.neg(x * x * x), [randn(3, 1)]),
]
write("arithmetic", cases)
