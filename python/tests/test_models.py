"""The example models under models/ served end to end on tiny synthetic images."""
from __future__ import annotations

import shutil
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from worker import ROOT, Worker, arrays, hyperparameters  # noqa: E402


def images(path: Path, shape, n=16, classes=10) -> dict:
    rng = np.random.RandomState(1)
    f_count = int(np.prod(shape))
    with h5py.File(path, "w") as f:
        for split in ("train", "test"):
            f.create_dataset(f"/data/{split}/features", data=rng.normal(0, 1, (n, f_count)).astype(np.float32))
            f.create_dataset(f"/data/{split}/targets", data=(np.arange(n) % classes).astype(np.int32))
    return {"file": str(path), "task": "classification", "classes": classes, "feature_shape": list(shape),
            "train": {"features": "/data/train/features", "targets": "/data/train/targets"},
            "test": {"features": "/data/test/features", "targets": "/data/test/targets"}}


class ExampleModelTests(unittest.TestCase):
    def run_model(self, script: str, shape, embedding_dim: int, optimizer: str):
        directory = Path(tempfile.mkdtemp(prefix=f"alflow-{script}-"))
        worker = Worker(ROOT / "models" / script)
        try:
            data = images(directory / "load.h5", shape)
            described = worker.request({"op": "describe"})
            self.assertTrue(described["ok"], described)
            self.assertEqual(described["model"]["embedding_dim"], embedding_dim)
            self.assertIn("mc_dropout", described["model"]["supports"])
            trained = worker.request({
                "op": "train", "data": data, "rows": list(range(16)), "seed": 3, "init_seed": 4,
                "hyperparameters": hyperparameters(epochs=1, batch_size=8, optimizer=optimizer,
                                                   momentum=0.9, weight_decay=5e-4, milestones=[1]),
                "initial_weights": None, "checkpoint_dir": str(directory / "ck"),
                "output": str(directory / "w.h5")})
            self.assertTrue(trained["ok"], trained)
            out = directory / "infer.h5"
            inferred = worker.request({
                "op": "infer", "data": data, "split": "test", "rows": [3, 1, 2],
                "weights": {"file": str(directory / "w.h5"), "group": "/parameters"},
                "outputs": ["probabilities", "embeddings", "head"], "output": str(out),
                "mc_dropout": {"samples": 2, "dropout": 0.3, "seed": 5},
                "weight_noise": {"samples": 2, "noise": 0.001, "seed": 6, "output": "probabilities"}})
            self.assertTrue(inferred["ok"], inferred)
            got = arrays(out)
            self.assertEqual(got["probabilities"].shape, (3, 10))
            self.assertEqual(got["embeddings"].shape, (3, embedding_dim))
            self.assertEqual(got["mc_dropout"].shape, (3, 20))
            self.assertEqual(got["weight_noise"].shape, (3, 20))
            self.assertFalse(np.array_equal(got["mc_dropout"][:, :10], got["mc_dropout"][:, 10:]))
        finally:
            worker.close()
            shutil.rmtree(directory, ignore_errors=True)

    def test_smallnet(self):
        self.run_model("smallnet.py", (28, 28, 1), 128, "adam")

    def test_resnet18_cifar(self):
        self.run_model("resnet18_cifar.py", (32, 32, 3), 512, "sgd")

    def test_vgg16_cifar(self):
        self.run_model("vgg16_cifar.py", (32, 32, 3), 512, "sgd")


if __name__ == "__main__":
    unittest.main()
