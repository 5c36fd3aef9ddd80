"""HDF5 input and output: the run's data file, row selection, weights."""
from __future__ import annotations

import os

import h5py
import numpy as np
import torch

# A split array up to this size is read whole once and kept; a larger one is read
# row by row selection for each request.
WHOLE_READ_LIMIT = int(os.environ.get("ALFLOW_CACHE_BYTES", str(4 << 30)))


class DataCache:
    """One open HDF5 file per path, and whole arrays where small enough.

    The data file is content-addressed and immutable for the run, so caching
    by (path, size, mtime) is sound.
    """

    def __init__(self):
        self._files: dict[tuple, h5py.File] = {}
        self._arrays: dict[tuple, np.ndarray] = {}

    def _file(self, path: str) -> tuple[tuple, h5py.File]:
        st = os.stat(path)
        key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
        f = self._files.get(key)
        if f is None:
            f = h5py.File(path, "r")
            self._files[key] = f
        return key, f

    def rows(self, path: str, dataset: str, rows: np.ndarray) -> np.ndarray:
        """The listed rows of `dataset`, in the listed order (duplicates allowed)."""
        key, f = self._file(path)
        if dataset not in f:
            raise ValueError(f"{path} has no dataset {dataset}")
        ds = f[dataset]
        n = ds.shape[0]
        if rows.size and (rows.min() < 0 or rows.max() >= n):
            raise ValueError(f"row index out of range 0 ..< {n} for {dataset}")
        whole = self._arrays.get(key + (dataset,))
        if whole is None and ds.size * ds.dtype.itemsize <= WHOLE_READ_LIMIT:
            whole = ds[...]
            self._arrays[key + (dataset,)] = whole
        if whole is not None:
            return whole[rows]
        # h5py fancy indexing needs strictly increasing indices: sort, read, reorder.
        unique, inverse = np.unique(rows, return_inverse=True)
        return ds[unique.tolist()][inverse] if unique.size else ds[0:0]


def model_shape(feature_shape) -> list:
    """The shape the model sees: alflow stores images as height × width ×
    channels (its IDX, CIFAR and SVHN loaders); PyTorch wants channels first,
    so a rank-3 feature shape [H, W, C] becomes [C, H, W]."""
    shape = [int(s) for s in feature_shape or []]
    return [shape[2], shape[0], shape[1]] if len(shape) == 3 else shape


def split_tensors(cache: DataCache, data: dict, split: str, rows: np.ndarray,
                  with_targets: bool):
    """Features in the model's layout (float32; images channels first), and targets if asked."""
    spec = data.get(split)
    if not isinstance(spec, dict):
        raise ValueError(f"data has no split {split!r}")
    shape = [int(s) for s in data.get("feature_shape") or []]
    x = cache.rows(data["file"], spec["features"], rows)
    if x.ndim < 2:
        raise ValueError(f"{spec['features']} must be [N, …feature_shape], got shape {list(x.shape)}")
    if shape:
        if int(np.prod(shape)) != int(np.prod(x.shape[1:])):
            raise ValueError(f"feature_shape {shape} does not match features of shape {list(x.shape[1:])}")
        x = x.reshape([x.shape[0]] + shape)
        if len(shape) == 3:
            x = x.transpose(0, 3, 1, 2)
    features = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    if not with_targets:
        return features, None
    y = cache.rows(data["file"], spec["targets"], rows)
    if data.get("task", "classification") == "regression":
        targets = torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32)).reshape(-1)
    else:
        targets = torch.from_numpy(np.ascontiguousarray(y, dtype=np.int64)).reshape(-1)
        classes = int(data["classes"])
        if targets.numel() and (targets.min() < 0 or targets.max() >= classes):
            raise ValueError(f"a target is outside 0 ..< {classes}")
    return features, targets


def parse_rows(value, name: str = "rows") -> np.ndarray:
    if not isinstance(value, list) or not all(isinstance(r, int) and not isinstance(r, bool)
                                              for r in value):
        raise ValueError(f"{name} must be a list of integers")
    return np.asarray(value, dtype=np.int64)


def _atomic_h5(path: str, fill) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with h5py.File(tmp, "w", libver="earliest", track_order=False) as f:
            fill(f)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _put(f: h5py.File, name: str, array: np.ndarray) -> None:
    f.create_dataset(name, data=array, track_times=False)


def write_parameters(path: str, state: dict) -> None:
    """`/parameters/<name>` per state entry; 0-d entries are stored with shape [1]."""
    def fill(f):
        for name in sorted(state):
            t = state[name].detach().cpu()
            if t.dtype not in (torch.float32, torch.float64, torch.int64):
                t = t.to(torch.float32) if t.is_floating_point() else t.to(torch.int64)
            a = t.numpy()
            if a.ndim == 0:
                a = a.reshape(1)
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                raise ValueError(f"parameter {name} has a non-finite value")
            _put(f, f"/parameters/{name}", a)
    _atomic_h5(path, fill)


def write_outputs(path: str, arrays: dict) -> None:
    def fill(f):
        for name, a in arrays.items():
            _put(f, name, a)
    _atomic_h5(path, fill)


def load_parameters(model: torch.nn.Module, weights: dict) -> None:
    """Load `{"file", "group"}` into the model; every state entry must be present."""
    if not isinstance(weights, dict) or "file" not in weights:
        raise ValueError("weights must be {\"file\": …, \"group\": …}")
    group = weights.get("group", "/parameters")
    state = model.state_dict()
    loaded = {}
    with h5py.File(weights["file"], "r") as f:
        if group not in f:
            raise ValueError(f"{weights['file']} has no group {group}")
        g = f[group]
        for name, current in state.items():
            if name not in g:
                raise ValueError(f"weights file lacks the state entry {name} under {group}")
            a = g[name][...]
            if a.size != current.numel():
                raise ValueError(f"state entry {name}: file has {list(a.shape)}, "
                                 f"model expects {list(current.shape)}")
            loaded[name] = torch.from_numpy(np.ascontiguousarray(a)).reshape(current.shape).to(current.dtype)
        extra = sorted(set(g.keys()) - set(state))
        if extra:
            raise ValueError(f"weights file has entries the model lacks: {', '.join(extra[:5])}")
    model.load_state_dict(loaded)
