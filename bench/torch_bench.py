"""PyTorch side of Layerloom's benchmark: the same networks as bench/models.ts, batch 64, Adam 1e-3.

    /usr/bin/python3 bench/torch_bench.py <cnn|mlp|lstm|lenet> [--batches N] [--warmup N] [--threads N]

Prints one JSON line: {"model", "samplesPerSec", "peakRssMB", "threads", "data", "blas"}.
`blas` names the BLAS library this process actually loaded (read from /proc/self/maps): Debian's torch
uses whatever libblas.so.3 points to, and the reference BLAS makes its MLP ~8x slower.
Data: Fashion-MNIST from Debian's dataset-fashion-mnist (cnn, mlp) when installed, else synthetic
data of the same shape; synthetic for lstm ([30, 1] -> 1) and lenet ([32, 32, 3], 10 classes).
"""
import argparse
import gzip
import json
import os
import resource
import time

import numpy as np
import torch
from torch import nn

BATCH = 64
FASHION_DIR = os.environ.get("LAYERLOOM_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


class LastStep(nn.Module):
    """Stacked LSTM template: LSTM(32, return sequences) -> LSTM(32) -> Dense(1)."""

    def __init__(self):
        super().__init__()
        self.l1 = nn.LSTM(1, 32, batch_first=True)
        self.l2 = nn.LSTM(32, 32, batch_first=True)
        self.out = nn.Linear(32, 1)

    def forward(self, x):
        h, _ = self.l1(x)
        h, _ = self.l2(h)
        return self.out(h[:, -1])


def build(name):
    if name == "cnn":  # conv32-pool-conv64-pool-dense128-dense10, same padding (mnist-cnn.loom)
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "lstm":
        return LastStep()
    if name == "lenet":  # cifar-lenet.loom: conv6 k5, pool, conv16 k5, pool, 120, 84, 10
        return nn.Sequential(
            nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    raise SystemExit(f"unknown model {name}")


def fashion(count):
    try:
        with gzip.open(os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz")) as f:
            img = np.frombuffer(f.read(), np.uint8, offset=16)
        with gzip.open(os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz")) as f:
            lab = np.frombuffer(f.read(), np.uint8, offset=8)
        n = min(count, lab.shape[0])
        x = torch.from_numpy(img[: n * 784].reshape(n, 1, 28, 28).astype(np.float32) / 255.0)
        return x, torch.from_numpy(lab[:n].astype(np.int64)), f"Fashion-MNIST ({FASHION_DIR})"
    except OSError:
        g = torch.Generator().manual_seed(1)
        return torch.rand(count, 1, 28, 28, generator=g), torch.randint(0, 10, (count,), generator=g), "synthetic (Fashion-MNIST not installed)"


def data(name, count):
    g = torch.Generator().manual_seed(2)
    if name in ("cnn", "mlp"):
        return fashion(count)
    if name == "lstm":
        return torch.rand(count, 30, 1, generator=g), torch.rand(count, 1, generator=g), "synthetic"
    return torch.rand(count, 3, 32, 32, generator=g), torch.randint(0, 10, (count,), generator=g), "synthetic"


def cpu_sec():
    """CPU seconds (user + system, all threads) used by this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def loaded_blas():
    """The BLAS shared objects mapped into this process, resolved (Linux only; [] elsewhere)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return []
    return sorted({os.path.realpath(p) for p in paths})


def blas_kind(paths):
    joined = " ".join(paths).lower()
    for kind in ("openblas", "mkl", "blis", "atlas"):
        if kind in joined:
            return kind
    return "reference" if paths else "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--batches", type=int, default=40)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0 = PyTorch's default)")
    p.add_argument("--blas-only", action="store_true", help="print the BLAS in use and exit")
    a = p.parse_args()
    if a.blas_only:
        torch.ones(64, 64) @ torch.ones(64, 64)  # make sure the BLAS is loaded
        print(json.dumps({"blas": {"kind": blas_kind(loaded_blas()), "libraries": loaded_blas()}}))
        return
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = build(a.model)
    x, y, source = data(a.model, (a.warmup + a.batches) * BATCH)
    n = x.shape[0] // BATCH
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss() if a.model == "lstm" else nn.CrossEntropyLoss()

    def step(b):
        i = (b % n) * BATCH
        opt.zero_grad()
        loss = loss_fn(model(x[i:i + BATCH]), y[i:i + BATCH])
        loss.backward()
        opt.step()
        return loss

    for b in range(a.warmup):
        step(b)
    t0 = time.perf_counter()
    c0 = cpu_sec()
    for b in range(a.batches):
        loss = step(a.warmup + b)
    loss = float(loss)
    sec = time.perf_counter() - t0
    cpu = cpu_sec() - c0
    print(json.dumps({
        "model": a.model, "samplesPerSec": a.batches * BATCH / sec, "samplesPerCpuSec": a.batches * BATCH / cpu, "loss": loss,
        "peakRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "threads": torch.get_num_threads(), "data": source,
        "blas": {"kind": blas_kind(loaded_blas()), "libraries": loaded_blas()},
    }))


if __name__ == "__main__":
    main()
