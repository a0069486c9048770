#!/usr/bin/python3
"""Reference trajectories of torch.optim (PyTorch 1.13, float64) for tests/Core.Tests/Optim.

Run from the repository root:  /usr/bin/python3 tests/Core.Tests/Fixtures/gen_optim.py
Writes tests/Core.Tests/Fixtures/optim.json. The problems are written with the same tensor ops as
the F# tests (matmul, tanh, +, *, sum, mean), and every optimizer runs single-tensor (foreach=False).
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
STEPS = 50
SNAPSHOTS = [1, 2, 3, 5, 10, 20, 30, 40, 50]


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


# ---- problems: (named initial params in order, constants, loss) ----------------------------------
def quadratic():
    q = torch.tensor([[3.0, 0.5, 0.2], [0.5, 2.0, 0.3], [0.2, 0.3, 1.0]])
    r = torch.tensor([1.0, -2.0, 0.5])
    d = torch.tensor([[1.0, 2.0], [0.5, 3.0]])
    t = torch.tensor([[0.3, -0.7], [1.1, 0.2]])
    params = [("a", torch.tensor([0.5, -0.3, 0.8])), ("b", torch.tensor([[0.1, 0.2], [-0.4, 0.9]]))]
    consts = {"q": q, "r": r, "d": d, "t": t}

    def loss(p):
        a, b = p
        quad = 0.5 * torch.sum(q * (a.reshape(3, 1) * a.reshape(1, 3)))
        return quad - torch.sum(r * a) + torch.sum(d * (b - t) ** 2) + 0.1 * torch.sum(a) * torch.sum(b)

    return params, consts, loss


def mlp():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, 3, generator=g)
    y = torch.randn(8, 2, generator=g)
    params = [
        ("layer1.weight", 0.5 * torch.randn(3, 5, generator=g)),
        ("layer1.bias", 0.1 * torch.randn(5, generator=g)),
        ("layer2.weight", 0.5 * torch.randn(5, 2, generator=g)),
        ("layer2.bias", 0.1 * torch.randn(2, generator=g)),
    ]
    consts = {"x": x, "y": y}

    def loss(p):
        w1, b1, w2, b2 = p
        h = torch.tanh(torch.matmul(x, w1) + b1)
        return torch.mean((torch.matmul(h, w2) + b2 - y) ** 2)

    return params, consts, loss


# ---- optimizer configurations (keys as in the F# aliases) ----------------------------------------
CONFIGS = [
    {"name": "sgd", "lr": 0.05},
    {"name": "sgd", "lr": 0.05, "momentum": 0.9},
    {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"name": "sgd", "lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weightDecay": 0.01},
    {"name": "adagrad", "lr": 0.1},
    {"name": "adagrad", "lr": 0.1, "lrDecay": 0.01, "weightDecay": 0.01, "initialAccumulator": 0.1},
    {"name": "rmsprop", "lr": 0.01},
    {"name": "rmsprop", "lr": 0.01, "centered": True},
    {"name": "rmsprop", "lr": 0.01, "alpha": 0.9, "momentum": 0.9, "centered": True, "weightDecay": 0.01},
    {"name": "adam", "lr": 0.01},
    {"name": "adam", "lr": 0.01, "beta1": 0.8, "beta2": 0.99, "weightDecay": 0.01},
    {"name": "adamW", "lr": 0.01, "weightDecay": 0.1},
    {"name": "amsgrad", "lr": 0.01},
    {"name": "adamW", "lr": 0.01, "weightDecay": 0.05, "amsgrad": True},
]


def make_optimizer(cfg, params):
    c = dict(cfg)
    name, lr = c.pop("name"), c.pop("lr")
    wd = c.pop("weightDecay", 0.0)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=c.get("momentum", 0.0), dampening=c.get("dampening", 0.0),
                               nesterov=c.get("nesterov", False), weight_decay=wd, foreach=False)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, lr_decay=c.get("lrDecay", 0.0), weight_decay=wd,
                                   initial_accumulator_value=c.get("initialAccumulator", 0.0), foreach=False)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=c.get("alpha", 0.99), weight_decay=wd,
                                   momentum=c.get("momentum", 0.0), centered=c.get("centered", False), foreach=False)
    betas = (c.get("beta1", 0.9), c.get("beta2", 0.999))
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=wd, foreach=False)
    if name == "amsgrad":
        return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=wd, amsgrad=True, foreach=False)
    if name == "adamW":
        return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=wd, amsgrad=c.get("amsgrad", False),
                                 foreach=False)
    raise ValueError(name)


def trajectory(problem, cfg):
    named, _, loss_fn = problem()
    params = [p.clone().requires_grad_(True) for _, p in named]
    opt = make_optimizer(cfg, params)
    losses, snapshots = [], {}
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        loss = loss_fn(params)
        loss.backward()
        opt.step()
        losses.append(float(loss))
        if step in SNAPSHOTS:
            snapshots[str(step)] = [float(v) for v in torch.cat([p.detach().reshape(-1) for p in params]).tolist()]
    return {"losses": losses, "snapshots": snapshots}


def one_cycle(total, max_lr, **kw):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=max_lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=total, cycle_momentum=False, **kw)
    values = []
    for _ in range(total):
        values.append(opt.param_groups[0]["lr"])
        opt.step()
        if len(values) < total:
            sched.step()
    args = {"totalSteps": total, "maxValue": max_lr}
    args.update({{"pct_start": "pctStart", "div_factor": "divFactor", "final_div_factor": "finalDivFactor"}[k]: v
                 for k, v in kw.items()})
    return {"args": args, "values": values}


def plateau(metrics, **kw):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1.0)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", threshold_mode="rel", **kw)
    values = []
    for m in metrics:
        sched.step(m)
        values.append(opt.param_groups[0]["lr"])
    names = {"factor": "factor", "patience": "patience", "threshold": "threshold", "cooldown": "cooldown",
             "min_lr": "minScale"}
    return {"args": {names[k]: v for k, v in kw.items()}, "metrics": metrics, "scales": values}


def main():
    problems = {"quadratic": quadratic, "mlp": mlp}
    out = {"generator": "tests/Core.Tests/Fixtures/gen_optim.py", "torch": torch.__version__, "steps": STEPS,
           "problems": {}, "runs": [], "oneCycle": [], "plateau": []}
    for name, problem in problems.items():
        named, consts, _ = problem()
        out["problems"][name] = {"params": [[n, tensor_json(t)] for n, t in named],
                                 "constants": {k: tensor_json(v) for k, v in consts.items()}}
        for cfg in CONFIGS:
            out["runs"].append({"problem": name, "config": cfg, **trajectory(problem, cfg)})
    out["oneCycle"].append(one_cycle(100, 0.1))
    out["oneCycle"].append(one_cycle(37, 2.0, pct_start=0.25, div_factor=10.0, final_div_factor=100.0))
    wobble = [1.0 / (1 + 0.3 * i) + 0.02 * math.sin(3.0 * i) for i in range(15)]
    flat = [0.3 + 0.001 * math.cos(i) for i in range(25)]
    plateau_metrics = wobble + flat + [0.2 - 0.01 * i for i in range(10)] + [0.25] * 20
    out["plateau"].append(plateau(plateau_metrics, factor=0.5, patience=2, threshold=0.01, cooldown=1, min_lr=0.05))
    out["plateau"].append(plateau(plateau_metrics))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {path}: {len(out['runs'])} runs")


if __name__ == "__main__":
    main()
