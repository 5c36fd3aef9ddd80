"""The `infer` operation: clean outputs, MC dropout and weight noise."""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from . import data as io
from .environment import MC_DROPOUT, check_seed, derive_seed, generator
from .modules import EmbeddingTap, last_linear, mc_dropout_mode, weight_tensors

KNOWN_OUTPUTS = ("probabilities", "predictions", "embeddings", "head")


def _logits(out):
    return out[0] if isinstance(out, (tuple, list)) else out


def _passes(worker, model, x: torch.Tensor, want: str, regression: bool) -> torch.Tensor:
    """One pass over x in batches: `probabilities`, `predictions` or `embeddings`."""
    parts = []
    tap = EmbeddingTap(model) if want == "embeddings" else None
    with torch.no_grad():
        if tap is not None:
            tap.__enter__()
        try:
            for lo in range(0, x.shape[0], worker.infer_batch_size):
                xb = x[lo:lo + worker.infer_batch_size].to(worker.device)
                if worker.transform is not None:
                    xb = worker.transform(xb, False, None)
                out = _logits(model(xb))
                if want == "embeddings":
                    parts.append(tap.take().float().cpu())
                elif want == "probabilities":
                    if regression:
                        raise ValueError("a regression model has no probabilities")
                    parts.append(F.softmax(out.float(), dim=1).cpu())
                else:
                    parts.append(out.float().reshape(out.shape[0], -1).cpu())
        finally:
            if tap is not None:
                tap.__exit__(None, None, None)
    if not parts:  # no rows: an empty array of the right width
        head = last_linear(model)
        if want == "embeddings":
            width = head.in_features
        elif head is not None:
            width = head.out_features
        else:
            raise ValueError("no rows, and no head to tell the output width")
        return torch.zeros((0, width))
    return torch.cat(parts, 0)


def _mc_dropout(worker, model, x, spec: dict, regression: bool) -> np.ndarray:
    if regression:
        raise ValueError("mc_dropout is for classification")
    samples = spec.get("samples")
    p = spec.get("dropout")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError("mc_dropout.samples must be a positive integer")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
        raise ValueError("mc_dropout.dropout must be in [0, 1)")
    seed = check_seed(spec.get("seed"), "mc_dropout.seed")
    columns = []
    with mc_dropout_mode(model, float(p)):
        for t in range(samples):
            torch.manual_seed(derive_seed(seed, MC_DROPOUT, t))
            columns.append(_passes(worker, model, x, "probabilities", regression))
    return torch.cat(columns, 1).numpy()


def perturb(model, lam: float, g: torch.Generator) -> None:
    """W ← W + ε·λ‖W‖_F/‖ε‖_F for every module's own weight tensor (ε ~ N(0, 1) from g)."""
    with torch.no_grad():
        for w in weight_tensors(model):
            eps = torch.randn(w.shape, generator=g, dtype=torch.float32)
            eps_norm = eps.double().norm().item()
            if eps_norm == 0:
                continue
            scale = lam * w.double().norm().item() / eps_norm
            w.add_((eps * scale).to(device=w.device, dtype=w.dtype))


def _weight_noise(worker, model, x, spec: dict, regression: bool) -> np.ndarray:
    samples, lam = spec.get("samples"), spec.get("noise")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError("weight_noise.samples must be a positive integer")
    if isinstance(lam, bool) or not isinstance(lam, (int, float)) or not math.isfinite(lam) or lam < 0:
        raise ValueError("weight_noise.noise must be a finite number ≥ 0")
    seed = check_seed(spec.get("seed"), "weight_noise.seed")
    want = spec.get("output", "embeddings" if regression else "probabilities")
    if want not in ("probabilities", "embeddings"):
        raise ValueError("weight_noise.output must be probabilities or embeddings")
    clean = {k: v.detach().clone() for k, v in model.state_dict().items()}
    g = generator(seed)
    columns = []
    try:
        for _ in range(samples):
            model.load_state_dict(clean)  # every draw from a fresh copy of the clean weights
            model.eval()
            perturb(model, float(lam), g)
            columns.append(_passes(worker, model, x, want, regression))
    finally:
        model.load_state_dict(clean)
    return torch.cat(columns, 1).numpy()


def infer(worker, request: dict) -> dict:
    data = request["data"]
    split = request.get("split", "train")
    if split not in ("train", "test"):
        raise ValueError("split must be train or test")
    rows = io.parse_rows(request.get("rows"))
    output = request.get("output")
    if not isinstance(output, str):
        raise ValueError("infer needs an output path")
    outputs = request.get("outputs") or []
    unknown = [o for o in outputs if o not in KNOWN_OUTPUTS]
    if unknown:
        raise ValueError(f"unknown outputs {unknown}; known: {', '.join(KNOWN_OUTPUTS)}")
    regression = data.get("task", "classification") == "regression"

    model = worker.build_model(data, 0)
    if not request.get("weights"):
        raise ValueError("infer needs weights")
    io.load_parameters(model, request["weights"])
    model.to(worker.device)
    model.eval()
    x, _ = io.split_tensors(worker.cache, data, split, rows, with_targets=False)

    arrays = {"/rows": rows.astype(np.int64)}
    for name in ("probabilities", "predictions", "embeddings"):
        if name in outputs:
            if name == "predictions" and not regression:
                raise ValueError("predictions are for regression; ask for probabilities")
            arrays[f"/{name}"] = _passes(worker, model, x, name, regression).numpy()
    if "head" in outputs:
        head = last_linear(model)
        if head is None:
            raise ValueError("the model has no nn.Linear head")
        arrays["/head/weight"] = head.weight.detach().float().cpu().numpy()
        bias = head.bias if head.bias is not None else torch.zeros(head.out_features)
        arrays["/head/bias"] = bias.detach().float().cpu().numpy()
    if request.get("mc_dropout"):
        arrays["/mc_dropout"] = _mc_dropout(worker, model, x, request["mc_dropout"], regression)
    if request.get("weight_noise"):
        arrays["/weight_noise"] = _weight_noise(worker, model, x, request["weight_noise"], regression)
    for name, a in arrays.items():
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise ValueError(f"{name[1:]} has a non-finite value")
        if a.dtype == np.float64:
            arrays[name] = a.astype(np.float32)
    io.write_outputs(output, arrays)
    return {}
