"""`<script> serve`: protocol v1 over stdin/stdout (docs/external-models.md)."""
from __future__ import annotations

import json
import os
import queue
import signal
import sys
import threading
import time
import traceback

import torch

from . import inference, training
from .data import DataCache, model_shape
from .environment import (PROTOCOL, DeviceError, NondeterminismRecorder, probe, resolve_device,
                          set_determinism)
from .modules import last_linear, supports


class Worker:
    def __init__(self, build, name, transform, tasks, probe_classes, probe_shape, infer_batch_size):
        self.build, self.name, self.transform = build, name, transform
        self.tasks = list(tasks)
        self.probe_classes, self.probe_shape = probe_classes, list(probe_shape)
        self.infer_batch_size = infer_batch_size
        self.cache = DataCache()
        self.device_error = None
        try:
            self.device = resolve_device()
        except DeviceError as e:
            self.device, self.device_error = torch.device("cpu"), str(e)
        self._described = None

    def build_model(self, data: dict, init_seed: int) -> torch.nn.Module:
        """Fresh weights: torch.manual_seed(init_seed), then the user's factory, on the CPU."""
        task = data.get("task", "classification")
        if task not in self.tasks:
            raise ValueError(f"model {self.name} does not do {task} (it does {', '.join(self.tasks)})")
        classes = 1 if task == "regression" else int(data["classes"])
        shape = model_shape(data.get("feature_shape"))
        torch.manual_seed(init_seed)
        model = self.build(classes, shape)
        if not isinstance(model, torch.nn.Module):
            raise ValueError("the build function must return a torch.nn.Module")
        return model

    def describe(self) -> dict:
        if self._described is None:
            torch.manual_seed(0)
            model = self.build(self.probe_classes, self.probe_shape)
            head = last_linear(model)
            self._described = {
                "model": {"name": self.name, "tasks": self.tasks,
                          "embedding_dim": head.in_features if head is not None else None,
                          "supports": supports(model)},
                "environment": probe(self.device),
            }
        return dict(self._described)

    def handle(self, request: dict) -> dict:
        if self.device_error:
            raise ValueError(self.device_error)
        op = request.get("op")
        if op == "describe":
            return self.describe()
        if op not in ("train", "infer"):
            raise ValueError(f"unknown op {op!r} (known: describe, train, infer)")
        if not isinstance(request.get("data"), dict) or "file" not in request["data"]:
            raise ValueError(f"{op} needs data with a file")
        with NondeterminismRecorder() as recorder:
            answer = (training.train if op == "train" else inference.infer)(self, request)
        answer["nondeterministic"] = recorder.operations
        answer["device"] = self.device.type
        return answer


_protocol_out = None


def claim_stdout():
    """Keep fd 1 for responses only: Python's and C's writes to stdout go to stderr,
    including text still buffered from before. Idempotent."""
    global _protocol_out
    if _protocol_out is None:
        fd = os.dup(1)  # not inherited by children
        os.dup2(2, 1)
        sys.stdout.flush()  # anything printed so far lands on stderr now
        sys.stdout = sys.stderr
        _protocol_out = os.fdopen(fd, "w", buffering=1, encoding="utf-8")
    return _protocol_out


def _exit_now(reason: str) -> None:
    try:
        print(f"alflow_model: {reason}; exiting", file=sys.stderr, flush=True)
    finally:
        if os.getpgrp() == os.getpid():  # our own process group: take what we started along
            os.killpg(os.getpid(), signal.SIGKILL)
        os._exit(0)


class _Input:
    """Reads stdin on a thread; end of input while a request runs ends the process."""

    def __init__(self):
        self.lines: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.busy = False
        self.eof = False
        threading.Thread(target=self._read, name="alflow-stdin", daemon=True).start()

    def _read(self):
        for line in sys.stdin.buffer:
            self.lines.put(line)
        with self.lock:
            self.eof = True
            if self.busy:
                _exit_now("stdin closed during a request")
        self.lines.put(None)

    def next_request(self):
        line = self.lines.get()
        with self.lock:
            if line is None or self.eof:
                return None
            self.busy = True
            return line

    def done(self):
        with self.lock:
            self.busy = False


def _respond(out, rid, body: dict) -> None:
    try:
        line = json.dumps({"id": rid, **body}, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as e:
        line = json.dumps({"id": rid, "ok": False, "error": f"the answer is not JSON: {e}"})
    out.write(line + "\n")
    out.flush()


def serve(build, name: str, transform=None, tasks=("classification",), probe_classes: int = 10,
          probe_shape=(1, 28, 28), infer_batch_size: int = 1024) -> None:
    """Run the protocol when the script is called as `<script> [its own arguments…] serve`.

    build(classes, feature_shape) -> nn.Module returning logits [n, C] (or [n, 1] for
    regression; a tuple whose first element is that is accepted too).
    transform(x, train, generator) -> x, applied to each batch: train=True with a
    torch.Generator during training, train=False with None for inference.
    probe_classes/probe_shape: the arguments `describe` builds the model with.
    """
    if len(sys.argv) < 2 or sys.argv[-1] != "serve":
        print(f"usage: {sys.argv[0]} serve   (speaks alflow's external-model protocol "
              "v1 on stdin/stdout; see docs/external-models.md)", file=sys.stderr)
        sys.exit(2)
    out = claim_stdout()
    set_determinism()
    worker = Worker(build, name, transform, tasks, probe_classes, probe_shape, infer_batch_size)
    source = _Input()
    while True:
        line = source.next_request()
        if line is None:
            break
        rid = None
        started = time.monotonic()
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("a request must be a JSON object")
            rid = request.get("id")
            if request.get("protocol") != PROTOCOL:
                raise ValueError(f"protocol {request.get('protocol')!r} is not supported (this is v{PROTOCOL})")
            body = {"ok": True, **worker.handle(request)}
        except Exception as e:  # every failure is an answer, never a crash
            traceback.print_exc(file=sys.stderr)
            if isinstance(e, KeyError):
                message = f"the request lacks the field {e.args[0]!r}"
            elif isinstance(e, ValueError):
                message = str(e)
            else:
                message = f"{type(e).__name__}: {e}"
            body = {"ok": False, "error": message or type(e).__name__}
        sys.stderr.flush()
        print(f"alflow_model: request {rid} {body.get('ok') and 'ok' or 'failed'} "
              f"in {time.monotonic() - started:.3f} s", file=sys.stderr, flush=True)
        # Idle again before the answer leaves: a client may close stdin as soon as it has read it,
        # and end of input while idle is a clean exit, not an interrupted request.
        source.done()
        _respond(out, rid, body)
    out.close()

