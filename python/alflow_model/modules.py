"""What the protocol needs to find inside an nn.Module."""
from __future__ import annotations

import contextlib

import torch
from torch import nn


def last_linear(model: nn.Module) -> nn.Linear | None:
    """The head: the last nn.Linear in registration order (model.modules())."""
    found = None
    for m in model.modules():
        if isinstance(m, nn.Linear):
            found = m
    return found


def dropout_modules(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, nn.modules.dropout._DropoutNd)]


def weight_tensors(model: nn.Module) -> list[torch.Tensor]:
    """Every module's own `weight` tensor, in model.apply order (children before
    parents, as the noise-stability code visits them); a tensor shared by two
    modules is listed once."""
    out, seen = [], set()

    def visit(m: nn.Module):
        w = getattr(m, "weight", None)
        if isinstance(w, torch.Tensor) and id(w) not in seen:
            seen.add(id(w))
            out.append(w)

    model.apply(visit)
    return out


def supports(model: nn.Module) -> list[str]:
    out = []
    if last_linear(model) is not None:
        out += ["embeddings"]
    if dropout_modules(model):
        out += ["mc_dropout"]
    if weight_tensors(model):
        out += ["weight_noise"]
    if last_linear(model) is not None:
        out += ["head"]
    return out


class EmbeddingTap:
    """Records the input of the head (the penultimate features) on every forward."""

    def __init__(self, model: nn.Module):
        self.head = last_linear(model)
        self.value: torch.Tensor | None = None
        self._handle = None

    def __enter__(self):
        if self.head is None:
            raise ValueError("the model has no nn.Linear layer, so no embeddings")

        def hook(_module, inputs):
            self.value = inputs[0].detach()

        self._handle = self.head.register_forward_pre_hook(hook)
        return self

    def __exit__(self, *exc):
        self._handle.remove()
        return False

    def take(self) -> torch.Tensor:
        if self.value is None:
            raise ValueError("the head was not called during forward")
        v, self.value = self.value, None
        return v.reshape(v.shape[0], -1)


@contextlib.contextmanager
def mc_dropout_mode(model: nn.Module, p: float):
    """Evaluation mode with only the dropout modules active, at probability p."""
    drops = dropout_modules(model)
    if not drops:
        raise ValueError("mc_dropout needs dropout layers and the model has none")
    saved = [(m, m.p) for m in drops]
    model.eval()
    try:
        for m in drops:
            m.p = p
            m.train()
        yield
    finally:
        for m, old in saved:
            m.p = old
        model.eval()
