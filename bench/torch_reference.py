#!/usr/bin/env python3
"""PyTorch (CPU) reference for alflow's benchmarks: the same work, the same data.

Prints one JSON line per benchmark, with the same names and statistic as
alflow-bench (median wall-clock of N runs after a warm-up), so bench/compare.py
can put them side by side. Uses every core, as PyTorch does by default.

Usage: torch_reference.py [--data DIR] [--repeats N] [--only NAME[,NAME…]]
"""
import argparse, copy, gzip, json, os, statistics, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def mnist(folder):
    x = read_idx(f"{folder}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = read_idx(f"{folder}/train-labels-idx1-ubyte.gz").astype(np.int64)
    x = (x - 0.1307) / 0.3081
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


def median_time(repeats, body):
    body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def emit(name, seconds, flops=None, detail=""):
    print(json.dumps({"name": name, "seconds": seconds, "flops": flops, "detail": detail}, sort_keys=True), flush=True)


class SmallNet(nn.Module):
    """The noise-stability paper's MNIST CNN (backbone.py); with `dropout`,
    dropout after each conv block and after fc1, as alflow's MC-dropout variant."""

    def __init__(self, dropout=0.0):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5)
        self.conv2 = nn.Conv2d(32, 64, 5)
        self.fc1 = nn.Linear(1024, 128)
        self.fc2 = nn.Linear(128, 10)
        self.p = dropout

    def forward(self, x):
        drop = lambda v: F.dropout(v, self.p, training=True) if self.p > 0 else v
        x = drop(F.relu(F.max_pool2d(self.conv1(x), 2)))
        x = drop(F.relu(F.max_pool2d(self.conv2(x), 2)))
        return self.fc2(drop(self.fc1(x.flatten(1))))


SMALLNET_FLOPS = 2 * (576 * 25 * 32 + 64 * 800 * 64 + 1024 * 128 + 128 * 10)


def mc_dropout_probabilities(model, x, passes=30):
    """BALD's query-time passes: dropout active, no gradients, softmax per pass."""
    with torch.no_grad():
        return torch.stack([F.softmax(model(x), dim=1) for _ in range(passes)], dim=1)


def train_cycle(x, y, epochs=50, batch=96):
    """One mnist-paper training: a fresh SmallNet, Adam 1e-3, x0.1 at epoch 20."""
    model = SmallNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[20], gamma=0.1)
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(x), batch):
            index = order[start:start + batch]
            optimizer.zero_grad()
            F.cross_entropy(model(x[index]), y[index]).backward()
            optimizer.step()
        schedule.step()


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def train_epoch(model, x, y, batch=96):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    order = torch.randperm(len(x))
    for start in range(0, len(x), batch):
        index = order[start:start + batch]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x[index]), y[index])
        loss.backward()
        optimizer.step()


def add_noise_to_weights(module, scale):
    """The official noise_stability.py rule: every module owning a `weight`
    gets N(0, 1) noise rescaled to norm scale·‖W‖ (biases untouched)."""
    with torch.no_grad():
        if hasattr(module, "weight") and module.weight is not None:
            noise = torch.randn(module.weight.size())
            noise *= scale * module.weight.norm() / noise.norm()
            module.weight.add_(noise)


def all_outputs(model, x, batch=1024):
    """get_all_outputs: softmax outputs in eval mode, batch by batch."""
    model.eval()
    with torch.no_grad():
        return torch.cat([F.softmax(model(x[i:i + batch]), dim=1) for i in range(0, len(x), batch)])


def noise_stability_deviations(model, x, samples=30, scale=1e-3, batch=96):
    """noise_stability_sampling up to the k-center call, as in the official
    code: a fresh deep copy per draw and outputs batch by batch (the MNIST
    protocol's loader batch is BATCH = 96); only its per-row Python loop that
    divides by the clean norm is vectorised."""
    outputs = all_outputs(model, x, batch)
    norms = outputs.norm(dim=1, keepdim=True)
    diffs = []
    for _ in range(samples):
        noisy = copy.deepcopy(model)
        noisy.apply(lambda m: add_noise_to_weights(m, scale))
        diffs.append((all_outputs(noisy, x, batch) - outputs) / norms)
    return torch.cat(diffs, dim=1)


def kcenter_greedy(x, k):
    """The official kcenter_greedy: origin as the first centre, torch.cdist per pick."""
    mu = torch.zeros(1, x.shape[1])
    d2 = torch.norm(x, dim=1)
    picks = []
    while len(picks) < k:
        index = d2.topk(1)[1][0]
        d2[index] = 0
        mu = torch.cat((mu, x[index].unsqueeze(0)), 0)
        picks.append(index.item())
        new_d = torch.cdist(x, mu[-1:]).squeeze(1)
        mask = d2 > new_d
        d2[mask] = new_d[mask]
    return picks


def read_deviations(path):
    with open(path, "rb") as f:
        rows, columns = np.frombuffer(f.read(16), dtype="<i8")
        values = np.frombuffer(f.read(), dtype="<f4")
    return torch.from_numpy(values.reshape(int(rows), int(columns)).copy())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=".build/bench-data")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default="")
    parser.add_argument("--deviations", default="bench/results/deviations.bin",
                        help="the deviation vectors alflow-bench wrote, so both sides run k-center on the same input")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    wanted = lambda name: not only or name in only
    torch.manual_seed(0)

    x, y = mnist(args.data + "/mnist")
    if wanted("mlp-forward-60k"):
        model = mlp().eval()
        with torch.no_grad():
            seconds = median_time(args.repeats, lambda: model(x))
        emit("mlp-forward-60k", seconds, 2 * len(x) * (784 * 256 + 256 * 10), "MLP 784-256-10 inference, 60000 images")
    if wanted("mlp-train-epoch"):
        model = mlp()
        emit("mlp-train-epoch", median_time(args.repeats * 4, lambda: train_epoch(model, x[:1000], y[:1000])),
             detail="one epoch, 1000 MNIST images, batch 96, Adam")
    if wanted("smallnet-train-epoch"):
        model = SmallNet()
        emit("smallnet-train-epoch", median_time(args.repeats, lambda: train_epoch(model, x[:1000], y[:1000])),
             detail="one epoch, 1000 MNIST images, batch 96, Adam")
    if wanted("smallnet-infer-10k"):
        model = SmallNet()
        seconds = median_time(args.repeats, lambda: all_outputs(model, x[:10000], 1024))
        emit("smallnet-infer-10k", seconds, SMALLNET_FLOPS * 10000, "SmallNet eval, no_grad, batches of 1024, 10000 images")
    if wanted("smallnet-mc-dropout-1kx30"):
        model = SmallNet(dropout=0.3)
        candidates = x[10000:11000]
        seconds = median_time(args.repeats, lambda: mc_dropout_probabilities(model, candidates))
        emit("smallnet-mc-dropout-1kx30", seconds, SMALLNET_FLOPS * 30000, "30 dropout passes (p=0.3), 1000 candidates in one batch")
    if wanted("smallnet-ns-1kx30"):
        model = SmallNet()
        candidates = x[10000:11000]
        seconds = median_time(args.repeats, lambda: noise_stability_deviations(model, candidates))
        emit("smallnet-ns-1kx30", seconds, SMALLNET_FLOPS * 31000,
             "the official noise_stability_sampling up to k-center: 30 noisy deep copies of SmallNet, 1000 candidates, batches of 96")
    if wanted("smallnet-train-200x50ep"):
        seconds = median_time(max(1, args.repeats // 2), lambda: train_cycle(x[:200], y[:200]))
        emit("smallnet-train-200x50ep", seconds, SMALLNET_FLOPS * 3 * 200 * 50, "fresh SmallNet, 200 images, 50 epochs, batch 96, Adam, MultiStepLR")
    if wanted("ns-score-59k"):
        model = mlp()
        for _ in range(10):
            train_epoch(model, x[:1000], y[:1000])
        candidates = x[1000:]
        flops = 31 * 2 * len(candidates) * (784 * 256 + 256 * 10)
        seconds = median_time(max(1, args.repeats // 2), lambda: noise_stability_deviations(model, candidates))
        emit("ns-score-59k", seconds, flops, "official algorithm and loader batch 96, MLP 784-256-10, K=30")
        if wanted("ns-score-59k-batch1024") or not only:
            seconds = median_time(max(1, args.repeats // 2), lambda: noise_stability_deviations(model, candidates, batch=1024))
            emit("ns-score-59k-batch1024", seconds, flops, "the same with 1024-sample batches (PyTorch's best case)")
    if wanted("kcenter-59k") and os.path.exists(args.deviations):
        deviations = read_deviations(args.deviations)
        emit("kcenter-59k", median_time(args.repeats, lambda: kcenter_greedy(deviations, 100)),
             detail="official kcenter_greedy (torch.cdist per pick), 100 picks")


if __name__ == "__main__":
    sys.exit(main())
