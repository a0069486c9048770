"""PyTorch reference values for the shape ops (see torch_fixture.py)."""
import torch
import torch.nn.functional as F
from torch_fixture import case, write

g = torch.Generator().manual_seed(2)


def randn(*shape):
    return torch.randn(*shape, generator=g)


def cube(x):
    """A nonlinear wrapper so that the second derivatives are not all zero."""
    return x * x * x


cases = [
    case("flatten", lambda x: torch.flatten(cube(x), 1, 2), [randn(2, 3, 4, 2)], {"startDim": 1, "endDim": 2}),
    case("squeeze", lambda x: torch.squeeze(cube(x)), [randn(2, 1, 3, 1)]),
    case("squeezeDim", lambda x: torch.squeeze(cube(x), 1), [randn(2, 1, 3, 1)], {"dim": 1}),
    case("unsqueeze", lambda x: torch.unsqueeze(cube(x), -1), [randn(2, 3)], {"dim": -1}),
    case("permute", lambda x: cube(x).permute(2, 0, 1), [randn(2, 3, 4)], {"dims": [2, 0, 1]}),
    case("expand", lambda x: cube(x).expand(2, 3, 4), [randn(3, 1)], {"shape": [2, 3, 4]}),
    case("expandKeep", lambda x: cube(x).expand(2, -1, 3), [randn(4, 1)], {"shape": [2, -1, 3]}),
    case("cat", lambda a, b, c: torch.cat([cube(a), b, c * b[:1, :]], 1), [randn(3, 2), randn(3, 1), randn(3, 4)],
         {"dim": 1}),
    case("split", lambda x: cube(torch.split(x, [1, 3, 2], dim=1)[1]), [randn(2, 6)],
         {"sizes": [1, 3, 2], "dim": 1, "piece": 1}),
    case("splitEvery", lambda x: cube(torch.split(x, 2, dim=0)[2]), [randn(5, 3)], {"size": 2, "dim": 0, "piece": 2}),
    case("chunk", lambda x: cube(torch.chunk(x, 3, dim=-1)[1]), [randn(2, 7)], {"chunks": 3, "dim": -1, "piece": 1}),
    case("pad", lambda x: F.pad(cube(x), [1, 2, 0, 1], value=0.5), [randn(2, 3)], {"pads": [1, 2, 0, 1], "value": 0.5}),
    case("padCrop", lambda x: F.pad(cube(x), [-1, 2, 1, -1]), [randn(3, 4, 3)], {"pads": [-1, 2, 1, -1], "value": 0.0}),
    case("flip", lambda x: torch.flip(cube(x), [0, 2]), [randn(2, 3, 2)], {"dims": [0, 2]}),
    case("repeat", lambda x: cube(x).repeat(2, 1, 3), [randn(3, 2)], {"repeats": [2, 1, 3]}),
    case("stack", lambda a, b: torch.stack([cube(a), b * a], 0), [randn(2, 3), randn(2, 3)], {"dim": 0}),
    case("stack", lambda a, b: torch.stack([cube(a), b * a], 1), [randn(3, 2), randn(3, 2)], {"dim": 1}, seed=1),
    case("stack", lambda a, b: torch.stack([cube(a), b * a], -1), [randn(2, 1, 2), randn(2, 1, 2)], {"dim": -1},
         seed=2),
]
write("shape", cases)
