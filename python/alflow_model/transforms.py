"""Augmentations as batched tensor operations driven by a torch.Generator."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def random_crop_flip(x: torch.Tensor, generator: torch.Generator, padding: int = 4,
                     pad_value: float = 0.0) -> torch.Tensor:
    """Per image: a random horizontal flip (probability ½), then a random crop of the
    original size from the image padded by `padding` on every side — torchvision's
    RandomHorizontalFlip + RandomCrop(size, padding) on a batch [B, C, H, W].

    The draws (flip, then vertical and horizontal offsets) come from `generator`
    on the CPU, so they are the same on every device.
    """
    b, _, h, w = x.shape
    flip = torch.rand(b, generator=generator) < 0.5
    dy = torch.randint(0, 2 * padding + 1, (b,), generator=generator)
    dx = torch.randint(0, 2 * padding + 1, (b,), generator=generator)
    flip, dy, dx = flip.to(x.device), dy.to(x.device), dx.to(x.device)
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    padded = F.pad(x, (padding, padding, padding, padding), value=pad_value)
    rows = (dy[:, None] + torch.arange(h, device=x.device)[None, :])  # [B, H]
    cols = (dx[:, None] + torch.arange(w, device=x.device)[None, :])  # [B, W]
    batch = torch.arange(b, device=x.device)[:, None, None]
    # padded[b, :, rows[b, i], cols[b, j]] -> [B, H, W, C]
    out = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]]
    return out.permute(0, 3, 1, 2).contiguous()


def cifar_augment(x: torch.Tensor, train: bool, generator) -> torch.Tensor:
    """The CIFAR training augmentation of the noise-stability code (flip, crop 32 pad 4).

    The data reach the model already normalised, so the padding is 0, the mean
    colour; torchvision pads the raw image with black before normalising.
    """
    if not train:
        return x
    return random_crop_flip(x, generator, padding=4)
