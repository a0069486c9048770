"""PyTorch reference values for the elementwise ops: abs .. atan2, activations, rounding, clamp,
maximum/minimum (see torch_fixture.py). Inputs stay away from kinks and domain edges."""
import torch
import torch.nn.functional as F
from torch_fixture import case, write

g = torch.Generator().manual_seed(2)


def randn(*shape):
    return torch.randn(*shape, generator=g)


def unit(*shape):
    """Uniform in (-0.8, 0.8): inside the domain of asin/acos, away from its edges."""
    return (torch.rand(*shape, generator=g) * 2 - 1) * 0.8


def away_from_zero(*shape):
    """Normal values pushed at least 0.2 away from 0 (the kink of abs, relu-like ops)."""
    x = randn(*shape)
    return torch.where(x >= 0, x + 0.2, x - 0.2)


def fractional(*shape):
    """Values in (-3, 3) at least 0.1 away from integers and half-integers (rounding ties)."""
    x = torch.randint(-6, 6, shape, generator=g) * 0.5 + 0.1 + torch.rand(*shape, generator=g) * 0.3
    return x.to(torch.float64)


cases = [
    case("abs", torch.abs, [away_from_zero(2, 3)]),
    case("sign", torch.sign, [away_from_zero(5)]),
    case("log1p", torch.log1p, [torch.rand(2, 3, generator=g) - 0.5]),
    case("expm1", torch.expm1, [randn(4)]),
    case("tan", torch.tan, [unit(2, 3)]),
    case("asin", torch.asin, [unit(3, 2)]),
    case("acos", torch.acos, [unit(4)]),
    case("atan", torch.atan, [randn(2, 2)]),
    case("sinh", torch.sinh, [randn(3)]),
    case("cosh", torch.cosh, [randn(1, 3)]),
    case("atan2", torch.atan2, [randn(2, 3), away_from_zero(3)]),
    case("atan2", torch.atan2, [randn(2, 1), away_from_zero(1, 4)], seed=1),
    case("erf", torch.erf, [randn(2, 3)]),
    case("leakyRelu", lambda x: F.leaky_relu(x, 0.01), [away_from_zero(2, 4)], {"slope": 0.01}),
    case("leakyRelu", lambda x: F.leaky_relu(x, 0.3), [away_from_zero(5)], {"slope": 0.3}, seed=1),
    case("elu", lambda x: F.elu(x, 1.0), [away_from_zero(2, 3)], {"alpha": 1.0}),
    case("elu", lambda x: F.elu(x, 0.5), [away_from_zero(6)], {"alpha": 0.5}, seed=1),
    case("gelu", F.gelu, [randn(2, 4)]),
    case("softplus", F.softplus, [randn(2, 3) * 3], {"beta": 1.0, "threshold": 20.0}),
    case("softplus", lambda x: F.softplus(x, 2.0, 1.5), [torch.tensor([-2.0, -0.3, 0.2, 0.5, 1.2, 3.0])],
         {"beta": 2.0, "threshold": 1.5}, seed=1),
    case("floor", torch.floor, [fractional(2, 3)]),
    case("ceil", torch.ceil, [fractional(5)]),
    case("round", torch.round, [fractional(3, 2)]),
    case("clamp", lambda x: torch.clamp(x, -0.5, 0.7),
         [torch.tensor([-1.3, -0.2, 0.1, 0.9, 0.4, -0.8])], {"min": -0.5, "max": 0.7}),
    case("clampMin", lambda x: torch.clamp(x, min=0.0), [away_from_zero(2, 3)], {"min": 0.0}),
    case("clampMax", lambda x: torch.clamp(x, max=0.0), [away_from_zero(4)], {"max": 0.0}),
    case("maximum", torch.maximum, [randn(2, 3), randn(3)]),
    case("minimum", torch.minimum, [randn(2, 1), randn(1, 3)]),
    case("maximum", torch.maximum, [torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 3.0, 2.0])], seed=1),
    case("minimum", torch.minimum, [torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 3.0, 2.0])], seed=1),
    # where: the Bool condition is held fixed; a*a and sin(b) make the Hessian-vector products non-zero.
    case("where", torch.where, [randn(2, 3) > 0, randn(2, 3), randn(2, 3)]),
    case("whereCurved", lambda c, a, b: torch.where(c, a * a, torch.sin(b)), [randn(2, 1) > 0, randn(2, 3), randn(3)]),
    case("whereCurved", lambda c, a, b: torch.where(c, a * a, torch.sin(b)), [randn(3) > 0, randn(2, 1), randn(1, 3)],
         seed=1),
]
write("elementwise", cases)
