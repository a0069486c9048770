"""PyTorch reference values for slicing and index-tensor ops (see torch_fixture.py)."""
import torch
from torch_fixture import case, write

g = torch.Generator().manual_seed(3)


def randn(*shape):
    return torch.randn(*shape, generator=g)


def cube(x):
    """A nonlinear wrapper so that the second derivatives are not all zero."""
    return x * x * x


def idx(*values):
    return torch.tensor(values, dtype=torch.int64)


# Slices are named by their F# spelling; Python bounds are exclusive, F# bounds inclusive.
cases = [
    case("x.[1, 1..2]", lambda x: cube(x[1, 1:3]), [randn(3, 4)]),
    case("x.[*, 2]", lambda x: cube(x[:, 2]), [randn(3, 4)]),
    case("x.[1..]", lambda x: cube(x[1:]), [randn(3, 4)]),
    case("x.[0..1, *, 1]", lambda x: cube(x[0:2, :, 1]), [randn(3, 2, 4)]),
    case("x.[-1, 1..5, 0..0, *]", lambda x: cube(x[-1, 1:, 0:1, :]), [randn(2, 3, 2, 2)]),
    case("narrow", lambda x: cube(torch.narrow(x, 1, 1, 2)), [randn(2, 4)], {"dim": 1, "start": 1, "length": 2}),
    case("indexSelect", lambda x, i: cube(torch.index_select(x, 1, i)), [randn(2, 4), idx(3, 0, 3)], {"dim": 1}),
    case("indexAdd", lambda x, i, s: cube(torch.index_add(x, 0, i, s * s)), [randn(4, 2), idx(1, 3, 1), randn(3, 2)],
         {"dim": 0}),
    case("gather", lambda x, i: cube(torch.gather(x, 1, i)), [randn(3, 4), idx([0, 3], [1, 1], [2, 0])], {"dim": 1}),
    case("scatterAdd", lambda x, i, s: cube(torch.scatter_add(x, 0, i, s * s)),
         [randn(3, 2), idx([0, 2], [0, 0]), randn(2, 2)], {"dim": 0}),
    case("index", lambda x, i: cube(x[i]), [randn(4, 2), idx([3, 0], [1, 1], [0, 2])]),
]
write("indexing", cases)
