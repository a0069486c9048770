"""PyTorch reference values for the reductions (mean, variance, std, max, min, logsumexp, prod) and
softmax/logSoftmax (see torch_fixture.py). Inputs have no ties for max/min."""
import torch
import torch.nn.functional as F
from torch_fixture import case, write

g = torch.Generator().manual_seed(3)


def randn(*shape):
    return torch.randn(*shape, generator=g)


cases = [
    case("mean", lambda x: torch.mean(x, -1, keepdim=False), [randn(2, 3)], {"dim": -1, "keepDim": False}),
    case("mean", lambda x: torch.mean(x, 0, keepdim=True), [randn(2, 3)], {"dim": 0, "keepDim": True}),
    case("variance", torch.var, [randn(2, 3)], {"unbiased": True}),
    case("variance", lambda x: torch.var(x, 1, unbiased=False, keepdim=True), [randn(3, 4)],
         {"dim": 1, "keepDim": True, "unbiased": False}),
    case("variance", lambda x: torch.var(x, 0), [randn(3, 2, 2)], {"dim": 0, "keepDim": False, "unbiased": True}),
    case("std", torch.std, [randn(5)], {"unbiased": True}),
    case("std", lambda x: torch.std(x, -1, unbiased=False), [randn(2, 4)],
         {"dim": -1, "keepDim": False, "unbiased": False}),
    case("max", torch.max, [randn(3, 4)]),
    case("max", lambda x: torch.max(x, 1)[0], [randn(3, 4)], {"dim": 1, "keepDim": False}),
    case("max", lambda x: torch.max(x, 0, keepdim=True)[0], [randn(2, 3)], {"dim": 0, "keepDim": True}),
    case("max", torch.max, [torch.tensor([3.0, 1.0, 3.0, 2.0])], seed=1),
    case("min", torch.min, [randn(2, 3)]),
    case("min", lambda x: torch.min(x, -1, keepdim=True)[0], [randn(2, 2, 3)], {"dim": -1, "keepDim": True}),
    case("logsumexp", lambda x: torch.logsumexp(x, (0, 1)), [randn(2, 3)]),
    case("logsumexp", lambda x: torch.logsumexp(x, 1), [randn(3, 4) * 10], {"dim": 1, "keepDim": False}),
    case("logsumexp", lambda x: torch.logsumexp(x, 0, keepdim=True), [randn(2, 3) + 500],
         {"dim": 0, "keepDim": True}),
    case("prod", torch.prod, [randn(2, 3)]),
    case("prod", lambda x: torch.prod(x, 1), [randn(3, 4)], {"dim": 1, "keepDim": False}),
    case("prod", lambda x: torch.prod(x, 0, keepdim=True), [randn(3, 2)], {"dim": 0, "keepDim": True}),
    case("prod", torch.prod, [torch.tensor([0.0, 2.0, 5.0, 3.0])], seed=1),
    case("prod", lambda x: torch.prod(x, 1), [torch.tensor([[0.0, 2.0, -1.5], [0.5, 3.0, 0.0], [1.0, 2.0, 3.0]])],
         {"dim": 1, "keepDim": False}, seed=2),
    case("softmax", lambda x: F.softmax(x, -1), [randn(2, 4)], {"dim": -1}),
    case("softmax", lambda x: F.softmax(x, 0), [randn(3, 2) * 20], {"dim": 0}),
    case("logSoftmax", lambda x: F.log_softmax(x, -1), [randn(2, 4)], {"dim": -1}),
    case("logSoftmax", lambda x: F.log_softmax(x, 1), [randn(2, 3, 2) * 50], {"dim": 1}),
]
write("reductions", cases)
