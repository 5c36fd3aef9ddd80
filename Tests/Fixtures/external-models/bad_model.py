"""A model that breaks protocol v1 on purpose, for alflow's failure tests.

Usage: python3 bad_model.py MODE serve, with MODE one of
  exit1   the worker prints an error to stderr and exits 1 during training
  nan     training writes a NaN weight
  shape   inference writes probabilities one column too wide
  hang    training never answers (the workflow's timeout must end it)
  good    a correct (if useless) linear model, for comparison
  slow    as good, but every training takes 3 seconds (for tests that must land inside a job)
It needs only numpy and h5py: the failure tests run without PyTorch.
"""
import json
import os
import sys
import select
import time

import h5py
import numpy as np

MODE = sys.argv[1]


def answer(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def features(data, split, rows):
    with h5py.File(data["file"], "r") as f:
        x = f[data[split]["features"]][...]
    return x.reshape(x.shape[0], -1)[rows] if len(rows) else x.reshape(x.shape[0], -1)[:0]


def main():
    for line in sys.stdin:
        request = json.loads(line)
        op, rid = request["op"], request["id"]
        if op == "describe":
            answer({"id": rid, "ok": True, "model": {"name": "bad-" + MODE, "tasks": ["classification"], "embedding_dim": 4,
                                                     "supports": ["embeddings"]},
                    "environment": {"python": "test", "torch": None, "cuda": None, "cudnn": None, "device": "cpu",
                                    "device_name": "test"}})
        elif op == "train":
            print(f"bad_model: training on {len(request['rows'])} rows", file=sys.stderr, flush=True)
            if MODE == "exit1":
                print("RuntimeError: CUDA out of memory (simulated by bad_model.py)", file=sys.stderr, flush=True)
                sys.exit(1)
            if MODE == "hang":
                print("bad_model: hanging", file=sys.stderr, flush=True)
                while True:  # protocol v1: still exit at end of input
                    ready, _, _ = select.select([sys.stdin], [], [], 1)
                    if ready and not os.read(sys.stdin.fileno(), 1):
                        os._exit(0)
            if MODE == "slow":
                deadline = time.monotonic() + 3
                while time.monotonic() < deadline:  # protocol v1: still exit at end of input
                    ready, _, _ = select.select([sys.stdin], [], [], 0.1)
                    if ready and not os.read(sys.stdin.fileno(), 1):
                        os._exit(0)
            weight = np.zeros((4, 4), dtype=np.float32)
            if MODE == "nan":
                weight[1, 2] = np.nan
            with h5py.File(request["output"], "w") as f:
                f["parameters/w"] = weight
            answer({"id": rid, "ok": True, "epochs": 1, "losses": [1.0], "nondeterministic": [], "device": "cpu"})
        elif op == "infer":
            rows = request["rows"]
            n, classes = len(rows), request["data"]["classes"]
            width = classes + 1 if MODE == "shape" else classes
            with h5py.File(request["output"], "w") as f:
                f["rows"] = np.array(rows, dtype=np.int64)
                f["probabilities"] = np.full((n, width), 1.0 / width, dtype=np.float32)
                f["embeddings"] = features(request["data"], request["split"], rows)[:, :4].astype(np.float32)
            answer({"id": rid, "ok": True, "nondeterministic": [], "device": "cpu"})
        else:
            answer({"id": rid, "ok": False, "error": f"unknown op {op}"})


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[2] != "serve":
        sys.exit("usage: bad_model.py MODE serve")
    main()
