"""The `train` operation: exact, resumable training with an epoch checkpoint."""
from __future__ import annotations

import hashlib
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

from . import data as io
from .environment import AUGMENT, BATCH_ORDER, DROPOUT, check_seed, derive_seed, generator

CHECKPOINT = "checkpoint.pt"


def _hyperparameters(hp: dict) -> dict:
    if not isinstance(hp, dict):
        raise ValueError("hyperparameters must be an object")

    def number(name, default, lo=0.0):
        v = hp.get(name, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < lo:
            raise ValueError(f"hyperparameters.{name} must be a finite number ≥ {lo}, got {v!r}")
        return float(v)

    def integer(name, default, lo):
        v = hp.get(name, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"hyperparameters.{name} must be an integer ≥ {lo}, got {v!r}")
        return v

    out = {
        "epochs": integer("epochs", None, 0),
        "batch_size": integer("batch_size", None, 1),
        "optimizer": hp.get("optimizer", "adam"),
        "learning_rate": number("learning_rate", None),
        "momentum": number("momentum", 0),
        "weight_decay": number("weight_decay", 0),
        "gamma": number("gamma", 0.1),
        "class_balanced": hp.get("class_balanced", "auto"),
    }
    if out["optimizer"] not in ("adam", "sgd"):
        raise ValueError(f"hyperparameters.optimizer must be adam or sgd, got {out['optimizer']!r}")
    if out["class_balanced"] not in ("auto", "never"):
        raise ValueError("hyperparameters.class_balanced must be auto or never")
    milestones = hp.get("milestones", [])
    if not isinstance(milestones, list) or not all(isinstance(m, int) and not isinstance(m, bool)
                                                   for m in milestones):
        raise ValueError("hyperparameters.milestones must be a list of integers")
    out["milestones"] = milestones
    return out


def _fingerprint(request: dict) -> str:
    """What determines the training: a checkpoint of another request is never resumed."""
    keep = {k: request.get(k) for k in ("data", "rows", "hyperparameters", "seed", "init_seed",
                                         "initial_weights")}
    return hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()


def _save_checkpoint(directory: str, state: dict) -> None:
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, CHECKPOINT)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_checkpoint(directory: str, fingerprint: str):
    path = os.path.join(directory, CHECKPOINT)
    if not os.path.exists(path):
        return None
    state = torch.load(path, map_location="cpu", weights_only=False)
    if state.get("fingerprint") != fingerprint:
        print(f"alflow_model: ignoring {path}: it belongs to another training request",
              file=sys.stderr)
        return None
    return state


def _logits(out):
    return out[0] if isinstance(out, (tuple, list)) else out


def train(worker, request: dict) -> dict:
    data = request["data"]
    rows = io.parse_rows(request.get("rows"))
    hp = _hyperparameters(request.get("hyperparameters"))
    seed = check_seed(request.get("seed"), "seed")
    init_seed = check_seed(request.get("init_seed"), "init_seed")
    checkpoint_dir, output = request.get("checkpoint_dir"), request.get("output")
    if not isinstance(output, str) or not isinstance(checkpoint_dir, str):
        raise ValueError("train needs output and checkpoint_dir paths")
    regression = data.get("task", "classification") == "regression"
    if rows.size == 0:
        raise ValueError("train needs at least one row")

    device = worker.device
    model = worker.build_model(data, init_seed)
    if request.get("initial_weights"):
        io.load_parameters(model, request["initial_weights"])
    model.to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    if hp["optimizer"] == "adam":
        optimizer = torch.optim.Adam(params, lr=hp["learning_rate"], weight_decay=hp["weight_decay"])
    else:
        optimizer = torch.optim.SGD(params, lr=hp["learning_rate"], momentum=hp["momentum"],
                                    weight_decay=hp["weight_decay"])
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=hp["milestones"],
                                                     gamma=hp["gamma"])

    x_all, y_all = io.split_tensors(worker.cache, data, "train", rows, with_targets=True)
    x_all, y_all = x_all.to(device), y_all.to(device)
    n = x_all.shape[0]
    sample_weight = None
    if not regression and hp["class_balanced"] == "auto" and n <= hp["batch_size"]:
        counts = torch.bincount(y_all.cpu(), minlength=int(data["classes"])).to(torch.float64)
        sample_weight = (1.0 / (counts + 1e-5)).to(torch.float32).to(device)

    fingerprint = _fingerprint(request)
    losses, start = [], 0
    saved = _load_checkpoint(checkpoint_dir, fingerprint)
    if saved is not None:
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        losses, start = list(saved["losses"]), int(saved["epoch"])

    for epoch in range(start, hp["epochs"]):
        torch.manual_seed(derive_seed(seed, DROPOUT, epoch))  # dropout masks (CPU and CUDA)
        order = torch.randperm(n, generator=generator(derive_seed(seed, BATCH_ORDER, epoch)))
        augment = generator(derive_seed(seed, AUGMENT, epoch))
        order = order.to(device)
        model.train()
        total = torch.zeros((), dtype=torch.float64, device=device)
        batches = 0
        for lo in range(0, n, hp["batch_size"]):
            idx = order[lo:lo + hp["batch_size"]]
            xb, yb = x_all[idx], y_all[idx]
            if worker.transform is not None:
                xb = worker.transform(xb, True, augment)
            out = _logits(model(xb))
            if regression:
                loss = F.mse_loss(out.reshape(-1), yb)
            elif sample_weight is not None:
                loss = (F.cross_entropy(out, yb, reduction="none") * sample_weight[yb]).sum()
            else:
                loss = F.cross_entropy(out, yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach().to(torch.float64)
            batches += 1
        scheduler.step()
        mean = (total / batches).item()
        if not math.isfinite(mean):
            raise ValueError(f"training diverged: the loss of epoch {epoch + 1} is {mean}")
        losses.append(mean)
        _save_checkpoint(checkpoint_dir, {
            "fingerprint": fingerprint, "epoch": epoch + 1, "losses": losses,
            "model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if device.type == "cuda" else None,
        })

    model.eval()
    io.write_parameters(output, model.state_dict())
    return {"epochs": hp["epochs"], "losses": losses, "resumed_from": start}
