"""PyTorch reference values for linear algebra (see torch_fixture.py). Matrices to invert are kept
well conditioned (a random matrix plus n times the identity)."""
import torch
from torch_fixture import case, write

g = torch.Generator().manual_seed(4)


def randn(*shape):
    return torch.randn(*shape, generator=g)


def wellConditioned(*shape):
    n = shape[-1]
    return torch.randn(*shape, generator=g) + n * torch.eye(n)


cases = [
    case("dot", torch.dot, [randn(4), randn(4)]),
    case("outer", torch.outer, [randn(3), randn(2)]),
    case("matmul", torch.matmul, [randn(2, 1, 3, 4), randn(3, 4, 2)]),
    case("matmul", torch.matmul, [randn(4), randn(2, 4, 3)]),
    case("matmul", torch.matmul, [randn(2, 3, 4), randn(4)]),
    case("matmul", torch.matmul, [randn(5), randn(5)]),
    case("solve", torch.linalg.solve, [wellConditioned(3, 3), randn(3, 2)]),
    case("solve", torch.linalg.solve, [wellConditioned(2, 3, 3), randn(3)]),
    case("solve", torch.linalg.solve, [wellConditioned(2, 1, 2, 2), randn(3, 2, 1)]),
    case("inverse", torch.linalg.inv, [wellConditioned(3, 3)]),
    case("inverse", torch.linalg.inv, [wellConditioned(2, 2, 2)]),
    case("det", torch.linalg.det, [wellConditioned(3, 3)]),
    case("det", torch.linalg.det, [wellConditioned(2, 4, 4)]),
]
write("linalg", cases)
