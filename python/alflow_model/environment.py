"""Device resolution, determinism flags, the environment probe and seed derivation.

Seeds in the protocol are unsigned 64-bit integers. torch.manual_seed and
torch.Generator.manual_seed accept the whole range 0 ..< 2**64, so a seed is used
as given, never reduced. Streams that must restart at a known point (an epoch's
batch order, its dropout masks, its augmentation) use a seed derived from
(seed, purpose, epoch) by BLAKE2b, so a training resumed at epoch e draws exactly
what an uninterrupted one draws at epoch e.
"""
from __future__ import annotations

import hashlib
import os
import platform
import struct
import sys
import warnings

# Must be set before CUDA initialises; alflow sets it too.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

import torch  # noqa: E402

HELPER_VERSION = "1.0.0"
PROTOCOL = 1

# Purposes of derived seeds (the numbers are part of the results: never renumber).
BATCH_ORDER, DROPOUT, AUGMENT, MC_DROPOUT = 1, 2, 3, 4

U64 = 1 << 64


def check_seed(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < U64:
        raise ValueError(f"{name} must be an integer in 0 ..< 2^64, got {value!r}")
    return value


def derive_seed(seed: int, purpose: int, index: int) -> int:
    """A 64-bit seed for stream `purpose`, step `index` (an epoch, a pass)."""
    digest = hashlib.blake2b(struct.pack("<QQQ", seed, purpose, index), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def generator(seed: int) -> torch.Generator:
    g = torch.Generator(device="cpu")
    g.manual_seed(seed)
    return g


class DeviceError(Exception):
    pass


def resolve_device() -> torch.device:
    wanted = os.environ.get("ALFLOW_DEVICE", "auto").strip().lower() or "auto"
    if wanted == "cpu":
        return torch.device("cpu")
    if wanted == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError("device: cuda was requested but torch.cuda.is_available() is False "
                              f"(torch {torch.__version__}, built for CUDA {torch.version.cuda})")
        return torch.device("cuda")
    if wanted == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    raise DeviceError(f"ALFLOW_DEVICE must be auto, cpu or cuda, got {wanted!r}")


def set_determinism() -> None:
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    threads = os.environ.get("ALFLOW_THREADS")
    if threads:
        torch.set_num_threads(max(1, int(threads)))


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def probe(device: torch.device) -> dict:
    on_cuda = device.type == "cuda"
    cudnn = torch.backends.cudnn.version() if on_cuda and torch.backends.cudnn.is_available() else None
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda if on_cuda else None,
        "cudnn": str(cudnn) if cudnn is not None else None,
        "device": device.type,
        "device_name": torch.cuda.get_device_name(device) if on_cuda else _cpu_name(),
        "helper": f"alflow_model {HELPER_VERSION}",
        # CPU results depend on the intra-op thread count (SmallNet's convolutions do).
        "cpu_threads": torch.get_num_threads(),
    }


class NondeterminismRecorder:
    """Collects PyTorch's 'does not have a deterministic implementation' warnings."""

    MARK = "does not have a deterministic implementation"

    def __enter__(self):
        self._ctx = warnings.catch_warnings(record=True)
        self._log = self._ctx.__enter__()
        warnings.simplefilter("always")
        self.operations: list[str] = []
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
        for w in self._log:
            text = str(w.message)
            if self.MARK in text:
                op = text.split(self.MARK, 1)[0].strip()
                if op not in self.operations:
                    self.operations.append(op)
            else:  # other warnings still reach the log
                print(f"warning: {w.category.__name__}: {text}", file=sys.stderr)
        return False
