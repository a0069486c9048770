"""Shared helper for the PyTorch reference-value generators in this folder.

Each generator (gen_<family>.py) builds a list of `case(...)` values and calls `write(name, cases)`.
A case records, in float64: the inputs, the output y = f(*args), a random cotangent u, the
gradients J_i^T u of L = <u, f(args)> for each differentiable argument i, a random direction v_i
and the second derivatives H_ii v_i of L (the Hessian-vector product in argument i with the other
arguments fixed), all computed with torch.autograd.functional (PyTorch 1.13 from Debian).

Run with Debian's interpreter: /usr/bin/python3 tests/Core.Tests/Fixtures/gen_<family>.py
"""
import json
import os
import torch
from torch.autograd.functional import vjp, hvp

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def tensor_json(t):
    t = t.detach()
    dtype = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64",
             torch.int32: "int32", torch.bool: "bool"}[t.dtype]
    data = t.reshape(-1).tolist()
    if dtype == "bool":
        data = [1 if b else 0 for b in data]
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def case(op, fn, args, params=None, second=True, seed=0):
    """One fixture case: `fn(*args)`; float64 args are differentiated, other dtypes are held fixed."""
    gen = torch.Generator().manual_seed(seed + 12345)
    args = [a.detach() for a in args]
    diff = [i for i, a in enumerate(args) if a.dtype == torch.float64]
    y = fn(*args)
    u = torch.randn(y.shape, generator=gen)
    grads, dirs, hvps = [], [], []
    for i in diff:
        def fi(x, i=i):
            full = list(args)
            full[i] = x
            return fn(*full)

        def li(x, i=i):
            return (fi(x) * u).sum()

        _, g = vjp(fi, args[i], u)
        v = torch.randn(args[i].shape, generator=gen)
        grads.append(tensor_json(g))
        dirs.append(tensor_json(v))
        if second:
            _, h = hvp(li, args[i], v)
            hvps.append(tensor_json(h))
    return {
        "op": op,
        "params": params or {},
        "args": [tensor_json(a) for a in args],
        "output": tensor_json(y),
        "cotangent": tensor_json(u),
        "differentiable": diff,
        "grads": grads,
        "directions": dirs,
        "hvps": hvps if second else None,
    }


def write(name, cases):
    """Writes `cases` to <this folder>/<name>.json with the torch version and generator name."""
    doc = {"generator": "tests/Core.Tests/Fixtures/gen_" + name + ".py",
           "torch": torch.__version__, "cases": cases}
    path = os.path.join(HERE, name + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {path}")
