"""Test support: a synthetic alflow load file and a worker process speaking protocol v1."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "models" / "tiny_mlp.py"
TIMEOUT = float(os.environ.get("ALFLOW_TEST_TIMEOUT", "180"))


def make_data(path: Path, n_train=240, n_test=60, classes=10, seed=0) -> dict:
    """An alflow load object's layout: /data/{train,test}/{features,targets}, 8×8 images."""
    rng = np.random.RandomState(seed)
    prototypes = rng.normal(0, 1, (classes, 64)).astype(np.float32)

    def split(n):
        y = (np.arange(n) % classes).astype(np.int32)
        rng.shuffle(y)
        x = prototypes[y] + rng.normal(0, 0.8, (n, 64)).astype(np.float32)
        return x.astype(np.float32), y

    with h5py.File(path, "w") as f:
        for name, n in (("train", n_train), ("test", n_test)):
            x, y = split(n)
            f.create_dataset(f"/data/{name}/features", data=x)
            f.create_dataset(f"/data/{name}/targets", data=y)
    return {"file": str(path), "task": "classification", "classes": classes,
            "feature_shape": [8, 8, 1],  # alflow stores images height × width × channels
            "train": {"features": "/data/train/features", "targets": "/data/train/targets"},
            "test": {"features": "/data/test/features", "targets": "/data/test/targets"}}


def hyperparameters(**changes) -> dict:
    hp = {"epochs": 3, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.01,
          "momentum": 0, "weight_decay": 0, "milestones": [2], "gamma": 0.1,
          "class_balanced": "auto"}
    hp.update(changes)
    return hp


class Worker:
    """`python3 <script> serve` in its own process group, as alflow starts it."""

    def __init__(self, script: Path = TINY, device: str = "cpu"):
        env = dict(os.environ, PYTHONPATH=str(ROOT / "python"), ALFLOW_DEVICE=device,
                   ALFLOW_PROTOCOL="1", PYTHONHASHSEED="0", CUBLAS_WORKSPACE_CONFIG=":4096:8")
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen([sys.executable, str(script), "serve"], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.stderr, env=env, start_new_session=True)
        self.next_id = 1
        self._buffer = b""

    def send(self, request: dict) -> int:
        rid = self.next_id
        self.next_id += 1
        line = json.dumps({"protocol": 1, "id": rid, **request}) + "\n"
        self.process.stdin.write(line.encode())
        self.process.stdin.flush()
        return rid

    def send_raw(self, line: bytes) -> None:
        self.process.stdin.write(line)
        self.process.stdin.flush()

    def read(self, timeout: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no response within {timeout} s\n{self.log()}")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise EOFError(f"worker closed stdout\n{self.log()}")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def request(self, request: dict, timeout: float = TIMEOUT) -> dict:
        rid = self.send(request)
        answer = self.read(timeout)
        assert answer.get("id") == rid, answer
        return answer

    def log(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-4000:]

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
        self.stderr.close()


def parameters(path) -> dict:
    with h5py.File(path, "r") as f:
        return {k: f["/parameters"][k][...] for k in f["/parameters"]}


def arrays(path) -> dict:
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[...])
                     if isinstance(obj, h5py.Dataset) else None)
    return out
