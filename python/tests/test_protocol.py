"""Protocol v1 end to end: models/tiny_mlp.py served through a pipe, real PyTorch, real HDF5.

Run: python3 -m unittest discover -s python/tests
"""
from __future__ import annotations

import copy
import importlib.util
import os
import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from worker import ROOT, TINY, Worker, arrays, hyperparameters, make_data, parameters  # noqa: E402

sys.path.insert(0, str(ROOT / "python"))
import torch  # noqa: E402

from alflow_model import data as helper_data  # noqa: E402
from alflow_model.inference import perturb  # noqa: E402


def tiny_module():
    spec = importlib.util.spec_from_file_location("tiny_mlp_for_tests", TINY)
    sys.path.insert(0, str(TINY.parent))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ProtocolTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="alflow-model-test-"))
        cls.data = make_data(cls.dir / "load.h5")
        cls.worker = Worker()
        cls.rows = list(range(0, 240, 3))  # 80 labelled rows
        cls.weights = cls.dir / "trained.h5"
        answer = cls.worker.request(cls.train_request(cls.weights, "base"))
        assert answer["ok"], answer

    @classmethod
    def tearDownClass(cls):
        cls.worker.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def train_request(cls, output, checkpoint, **hp):
        return {"op": "train", "data": cls.data, "rows": cls.rows,
                "hyperparameters": hyperparameters(**hp), "seed": 2**64 - 5, "init_seed": 7,
                "initial_weights": None, "checkpoint_dir": str(cls.dir / checkpoint),
                "output": str(output)}

    def infer(self, rows, outputs, **extra):
        out = self.dir / f"infer-{time.monotonic_ns()}.h5"
        answer = self.worker.request({"op": "infer", "data": self.data, "split": "train",
                                      "rows": rows, "outputs": outputs, "output": str(out),
                                      "weights": {"file": str(self.weights), "group": "/parameters"},
                                      "mc_dropout": None, "weight_noise": None, **extra})
        self.assertTrue(answer["ok"], answer)
        return arrays(out)

    def test_describe(self):
        answer = self.worker.request({"op": "describe"})
        self.assertTrue(answer["ok"], answer)
        self.assertEqual(answer["model"]["name"], "tiny_mlp")
        self.assertEqual(answer["model"]["tasks"], ["classification", "regression"])
        self.assertEqual(answer["model"]["embedding_dim"], 16)
        self.assertEqual(answer["model"]["supports"], ["embeddings", "mc_dropout", "weight_noise", "head"])
        env = answer["environment"]
        self.assertEqual(env["device"], "cpu")
        self.assertEqual(env["torch"], torch.__version__)
        self.assertIsNone(env["cuda"])
        for field in ("python", "cudnn", "device_name"):
            self.assertIn(field, env)

    def test_training_twice_gives_the_same_bits(self):
        a, b = self.dir / "twice-a.h5", self.dir / "twice-b.h5"
        first = self.worker.request(self.train_request(a, "twice-a"))
        other = Worker()  # a fresh process too
        try:
            second = other.request(self.train_request(b, "twice-b"))
        finally:
            other.close()
        self.assertTrue(first["ok"] and second["ok"], (first, second))
        self.assertEqual(first["losses"], second["losses"])
        self.assertEqual(first["resumed_from"], 0)
        self.assertEqual(a.read_bytes(), b.read_bytes())
        self.assertEqual(a.read_bytes(), self.weights.read_bytes())
        state = parameters(a)
        self.assertEqual(state["head.weight"].shape, (10, 16))
        self.assertEqual(state["head.weight"].dtype, np.float32)

    def test_warm_restart_starts_from_the_given_weights(self):
        out = self.dir / "warm.h5"
        answer = self.worker.request({**self.train_request(out, "warm", epochs=0),
                                      "initial_weights": {"file": str(self.weights),
                                                          "group": "/parameters"}})
        self.assertTrue(answer["ok"], answer)
        self.assertEqual(out.read_bytes(), self.weights.read_bytes())

    def test_kill_during_training_resumes_to_the_same_weights(self):
        hp = dict(epochs=160, batch_size=8)
        whole, resumed = self.dir / "whole.h5", self.dir / "resumed.h5"
        checkpoint = self.dir / "killed"
        victim = Worker()
        try:
            victim.send(self.train_request(resumed, "killed", **hp))
            deadline = time.monotonic() + 120
            while not (checkpoint / "checkpoint.pt").exists():
                self.assertLess(time.monotonic(), deadline, victim.log())
                time.sleep(0.05)
            time.sleep(0.3)
        finally:
            victim.kill()
            victim.stderr.close()
        self.assertFalse(resumed.exists(), "the victim finished before it was killed")
        uninterrupted = self.worker.request(self.train_request(whole, "whole", **hp))
        again = Worker()
        try:
            answer = again.request(self.train_request(resumed, "killed", **hp))
        finally:
            again.close()
        self.assertTrue(answer["ok"], answer)
        self.assertGreater(answer["resumed_from"], 0)
        self.assertLess(answer["resumed_from"], 160)
        self.assertEqual(answer["losses"], uninterrupted["losses"])
        for name, value in parameters(whole).items():
            np.testing.assert_array_equal(parameters(resumed)[name], value, err_msg=name)

    def test_weight_noise_is_relative_per_tensor_and_never_accumulates(self):
        tiny = tiny_module()
        model = tiny.build(10, [1, 8, 8])
        helper_data.load_parameters(model, {"file": str(self.weights), "group": "/parameters"})
        model.eval()
        clean = copy.deepcopy(model)
        lam, seed, rows = 0.05, 99, [5, 1, 200, 3]
        # each draw moves every weight tensor by exactly λ‖W‖ from the clean weights
        g = torch.Generator().manual_seed(seed)
        x = torch.from_numpy(arrays(self.data["file"])["data/train/features"][rows]).reshape(-1, 1, 8, 8)
        expected = []
        for _ in range(3):
            noisy = copy.deepcopy(clean)
            perturb(noisy, lam, g)
            for (name, w), w0 in zip(noisy.named_parameters(), clean.parameters()):
                change = (w - w0).double().norm().item()
                if name.endswith("weight"):
                    self.assertAlmostEqual(change / (lam * w0.double().norm().item()), 1.0, places=5)
                else:
                    self.assertEqual(change, 0.0, name)
            with torch.no_grad():
                expected.append(torch.softmax(noisy(x), 1))
        expected = torch.cat(expected, 1).numpy()
        got = self.infer(rows, ["probabilities"],
                         weight_noise={"samples": 3, "noise": lam, "seed": seed, "output": "probabilities"})
        self.assertEqual(got["weight_noise"].shape, (4, 30))
        np.testing.assert_allclose(got["weight_noise"], expected, rtol=0, atol=1e-6)
        # draws that accumulated would drift further from the clean outputs each time
        clean_p = got["probabilities"]
        drift = [np.abs(got["weight_noise"][:, 10 * k:10 * k + 10] - clean_p).max() for k in range(3)]
        self.assertTrue(all(d > 0 for d in drift), drift)
        single = self.infer(rows, [], weight_noise={"samples": 1, "noise": lam, "seed": seed,
                                                    "output": "probabilities"})
        np.testing.assert_array_equal(single["weight_noise"], got["weight_noise"][:, :10])

    def test_rows_mc_dropout_embeddings_and_head(self):
        rows = [17, 3, 120, 3, 0, 239]
        got = self.infer(rows, ["probabilities", "embeddings", "head"],
                         mc_dropout={"samples": 4, "dropout": 0.5, "seed": 11})
        np.testing.assert_array_equal(got["rows"], np.array(rows, dtype=np.int64))
        self.assertEqual(got["rows"].dtype, np.int64)
        self.assertEqual(got["probabilities"].shape, (6, 10))
        self.assertEqual(got["embeddings"].shape, (6, 16))
        self.assertEqual(got["head/weight"].shape, (10, 16))
        self.assertEqual(got["head/bias"].shape, (10,))
        self.assertEqual(got["mc_dropout"].shape, (6, 40))
        self.assertEqual(got["mc_dropout"].dtype, np.float32)
        np.testing.assert_allclose(got["mc_dropout"].reshape(6, 4, 10).sum(2), 1, atol=1e-5)
        self.assertFalse(np.array_equal(got["mc_dropout"][:, :10], got["mc_dropout"][:, 10:20]))
        # the same row twice gives the same values; the order follows the request
        np.testing.assert_array_equal(got["probabilities"][1], got["probabilities"][3])
        ordered = self.infer(sorted(set(rows)), ["probabilities", "embeddings"])
        position = {r: i for i, r in enumerate(sorted(set(rows)))}
        for i, r in enumerate(rows):
            np.testing.assert_allclose(got["probabilities"][i], ordered["probabilities"][position[r]],
                                       atol=1e-6)
        # logits = head(embedding)
        logits = got["embeddings"] @ got["head/weight"].T + got["head/bias"]
        p = np.exp(logits - logits.max(1, keepdims=True))
        np.testing.assert_allclose(p / p.sum(1, keepdims=True), got["probabilities"], atol=1e-5)
        again = self.infer(rows, [], mc_dropout={"samples": 4, "dropout": 0.5, "seed": 11})
        np.testing.assert_array_equal(again["mc_dropout"], got["mc_dropout"])

    def test_class_balanced_sum_while_the_labelled_set_fits_one_batch(self):
        rows = list(range(20))  # 20 ≤ batch_size 32: Σ_i CE_i/(n_class + 1e-5) ≈ C·ln C at the start
        balanced = self.worker.request({**self.train_request(self.dir / "cb.h5", "cb", epochs=1),
                                        "rows": rows})
        plain = self.worker.request({**self.train_request(self.dir / "mean.h5", "mean", epochs=1,
                                                          class_balanced="never"), "rows": rows})
        self.assertTrue(balanced["ok"] and plain["ok"], (balanced, plain))
        self.assertGreater(balanced["losses"][0], 15)
        self.assertLess(plain["losses"][0], 5)

    def test_regression(self):
        data = {**make_data(self.dir / "regression.h5"), "task": "regression", "classes": None}
        with h5py.File(data["file"], "a") as f:
            f["/data/train/values"] = f["/data/train/targets"][...].astype(np.float32) / 9
        data["train"] = {"features": "/data/train/features", "targets": "/data/train/values"}
        weights, out = self.dir / "reg.h5", self.dir / "reg-infer.h5"
        trained = self.worker.request({**self.train_request(weights, "reg"), "data": data})
        self.assertTrue(trained["ok"], trained)
        answer = self.worker.request({
            "op": "infer", "data": data, "split": "train", "rows": [4, 2], "output": str(out),
            "weights": {"file": str(weights), "group": "/parameters"},
            "outputs": ["predictions", "embeddings"], "mc_dropout": None,
            "weight_noise": {"samples": 3, "noise": 0.01, "seed": 1, "output": "embeddings"}})
        self.assertTrue(answer["ok"], answer)
        got = arrays(out)
        self.assertEqual(got["predictions"].shape, (2, 1))
        self.assertEqual(got["weight_noise"].shape, (2, 48))
        wrong = self.worker.request({
            "op": "infer", "data": data, "split": "train", "rows": [4], "output": str(out),
            "weights": {"file": str(weights), "group": "/parameters"}, "outputs": ["probabilities"]})
        self.assertFalse(wrong["ok"])

    def test_errors_are_answers(self):
        bad = self.worker.request({"op": "fly"})
        self.assertFalse(bad["ok"])
        self.assertIn("fly", bad["error"])
        self.worker.send_raw(b"this is not json\n")
        garbled = self.worker.read()
        self.assertFalse(garbled["ok"])
        self.assertIsNone(garbled["id"])
        missing = self.worker.request({"op": "infer", "data": self.data, "rows": [0],
                                       "outputs": ["probabilities"], "output": str(self.dir / "x.h5"),
                                       "weights": {"file": str(self.dir / "absent.h5")}})
        self.assertFalse(missing["ok"])
        self.assertTrue(self.worker.request({"op": "describe"})["ok"])

    def test_end_of_input_ends_a_worker_in_mid_training(self):
        w = Worker()
        try:
            w.send(self.train_request(self.dir / "eof.h5", "eof", epochs=100000, batch_size=8))
            deadline = time.monotonic() + 120
            while not (self.dir / "eof" / "checkpoint.pt").exists():
                self.assertLess(time.monotonic(), deadline, w.log())
                time.sleep(0.05)
            closed = time.monotonic()
            w.process.stdin.close()
            while w.process.poll() is None:
                # about 0.1 s when the machine is idle; the bound leaves room for a loaded one
                self.assertLess(time.monotonic() - closed, 5.0, "worker still running 5 s after EOF")
                time.sleep(0.02)
        finally:
            w.kill()
            w.stderr.close()
        self.assertFalse((self.dir / "eof.h5").exists())


class StdoutTests(unittest.TestCase):
    def test_prints_in_user_code_do_not_reach_the_protocol(self):
        directory = Path(tempfile.mkdtemp(prefix="alflow-model-noisy-"))
        try:
            script = directory / "noisy.py"
            script.write_text(
                "import os\nfrom torch import nn\nfrom alflow_model import serve\n"
                "def build(classes, shape):\n"
                "    print('hello from build'); os.write(1, b'raw bytes on fd 1\\n')\n"
                "    return nn.Linear(4, classes)\n"
                "if __name__ == '__main__':\n    print('hello at start')\n"
                "    serve(build, name='noisy', probe_shape=(4,))\n")
            w = Worker(script)
            try:
                answer = w.request({"op": "describe"})
                self.assertTrue(answer["ok"], answer)
                self.assertEqual(answer["model"]["embedding_dim"], 4)
                self.assertEqual(answer["model"]["supports"], ["embeddings", "weight_noise", "head"])
                w.process.stdin.close()  # idle: end of input is a clean exit
                self.assertEqual(w.process.wait(timeout=30), 0)
            finally:
                w.close()
        finally:
            shutil.rmtree(directory, ignore_errors=True)


@unittest.skipIf(torch.cuda.is_available(), "this machine has CUDA")
class DeviceTests(unittest.TestCase):
    def test_cuda_without_a_gpu_is_an_error_answer(self):
        w = Worker(device="cuda")
        try:
            answer = w.request({"op": "describe"})
        finally:
            w.close()
        self.assertFalse(answer["ok"])
        self.assertIn("cuda", answer["error"])


if __name__ == "__main__":
    unittest.main()
