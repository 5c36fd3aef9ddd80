#!/usr/bin/env python3
"""Overhead of the external-model protocol (docs/external-models.md) with the
Python helper: worker startup (interpreter + import torch + describe), and one
small `infer` request on a warm persistent worker against a fresh worker per
request (`worker: per_stage`: start, request, answer, close stdin, exit).

With --smallnet, instead: the paper's MNIST stages with models/smallnet.py on
synthetic 28×28 images (train 50 epochs on 200 rows, batch 96, Adam; infer with
weight noise K = 30 and with MC dropout T = 30 on 1,000 rows).

Prints JSON lines (name, seconds = median, detail). Usage:
  external_protocol_bench.py [--repeats N] [--model models/tiny_mlp.py] [--rows 100] [--smallnet]
Wrap it in `flock /tmp/alflow-measure.lock` on a shared machine.
"""
import argparse, json, os, statistics, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python" / "tests"))
from worker import Worker, hyperparameters, make_data  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--model", default="models/tiny_mlp.py")
    ap.add_argument("--rows", type=int, default=100)
    ap.add_argument("--smallnet", action="store_true")
    args = ap.parse_args()
    if args.smallnet:
        return smallnet_stages(args.repeats)
    script = ROOT / args.model
    tmp = Path(tempfile.mkdtemp(prefix="alflow-protocol-bench-"))
    data = make_data(tmp / "load.h5", n_train=max(240, args.rows))
    if "tiny" not in args.model:
        raise SystemExit("this bench feeds 8×8 images: use models/tiny_mlp.py")

    w = Worker(script)
    answer = w.request({"op": "train", "data": data, "rows": list(range(80)), "seed": 1, "init_seed": 2,
                        "hyperparameters": hyperparameters(epochs=2), "initial_weights": None,
                        "checkpoint_dir": str(tmp / "ck"), "output": str(tmp / "w.h5")})
    assert answer["ok"], answer
    infer = {"op": "infer", "data": data, "split": "train", "rows": list(range(args.rows)),
             "weights": {"file": str(tmp / "w.h5"), "group": "/parameters"},
             "outputs": ["probabilities", "embeddings"], "output": str(tmp / "i.h5"),
             "mc_dropout": None, "weight_noise": None}
    warm = []
    for _ in range(args.repeats + 2):
        start = time.perf_counter()
        assert w.request(infer)["ok"]
        warm.append(time.perf_counter() - start)
    w.close()
    warm = warm[2:]  # the first requests open and cache the data file

    startup, fresh, fresh_exit = [], [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        w = Worker(script)
        assert w.request({"op": "describe"})["ok"]
        startup.append(time.perf_counter() - start)
        w.close()
        start = time.perf_counter()
        w = Worker(script)
        assert w.request(infer)["ok"]
        fresh.append(time.perf_counter() - start)
        w.close()
        fresh_exit.append(time.perf_counter() - start)

    load = os.getloadavg()[0]
    for name, values, detail in (
            ("worker-startup", startup, "spawn → describe answered (python, import torch, build)"),
            ("infer-persistent", warm, f"{args.rows}-row infer on a warm worker"),
            ("infer-per-stage", fresh, f"spawn → the same infer answered"),
            ("infer-per-stage-exit", fresh_exit, "spawn → answered → stdin closed → exited")):
        print(json.dumps({"name": name, "seconds": round(statistics.median(values), 4),
                          "min": round(min(values), 4), "max": round(max(values), 4),
                          "repeats": len(values), "detail": detail, "load1": round(load, 2)}))


def smallnet_stages(repeats):
    import h5py
    import numpy as np
    tmp = Path(tempfile.mkdtemp(prefix="alflow-smallnet-bench-"))
    rng = np.random.RandomState(0)
    with h5py.File(tmp / "load.h5", "w") as f:
        for split, n in (("train", 2000), ("test", 200)):
            f[f"/data/{split}/features"] = rng.normal(0, 1, (n, 784)).astype(np.float32)
            f[f"/data/{split}/targets"] = (np.arange(n) % 10).astype(np.int32)
    data = {"file": str(tmp / "load.h5"), "task": "classification", "classes": 10,
            "feature_shape": [1, 28, 28],
            "train": {"features": "/data/train/features", "targets": "/data/train/targets"},
            "test": {"features": "/data/test/features", "targets": "/data/test/targets"}}
    w = Worker(ROOT / "models" / "smallnet.py")
    assert w.request({"op": "describe"})["ok"]
    times = {"smallnet-train-50-epochs-200-rows": [], "smallnet-infer-ns-k30-1000-rows": [],
             "smallnet-infer-mc-dropout-t30-1000-rows": []}
    for r in range(repeats):
        start = time.perf_counter()
        a = w.request({"op": "train", "data": data, "rows": list(range(200)), "seed": 1, "init_seed": 2,
                       "hyperparameters": hyperparameters(epochs=50, batch_size=96, learning_rate=0.001,
                                                          milestones=[20]),
                       "initial_weights": None, "checkpoint_dir": str(tmp / f"ck{r}"),
                       "output": str(tmp / "w.h5")})
        assert a["ok"], a
        times["smallnet-train-50-epochs-200-rows"].append(time.perf_counter() - start)
        base = {"op": "infer", "data": data, "split": "train", "rows": list(range(200, 1200)),
                "weights": {"file": str(tmp / "w.h5"), "group": "/parameters"},
                "outputs": ["probabilities"], "output": str(tmp / "i.h5")}
        for name, extra in (("smallnet-infer-ns-k30-1000-rows",
                             {"weight_noise": {"samples": 30, "noise": 0.001, "seed": 3,
                                               "output": "probabilities"}}),
                            ("smallnet-infer-mc-dropout-t30-1000-rows",
                             {"mc_dropout": {"samples": 30, "dropout": 0.3, "seed": 4}})):
            start = time.perf_counter()
            assert w.request({**base, **extra})["ok"]
            times[name].append(time.perf_counter() - start)
    w.close()
    for name, values in times.items():
        print(json.dumps({"name": name, "seconds": round(statistics.median(values), 3),
                          "min": round(min(values), 3), "repeats": len(values),
                          "load1": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
