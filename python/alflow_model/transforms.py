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


# The official noise-stability code's per-channel statistics (load_dataset.py:
# data_mean / data_std), applied after ToTensor.
CHANNEL_STATS = {
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)),
    "cifar100": ((0.5071, 0.4867, 0.4408), (0.2675, 0.2565, 0.2761)),
    "svhn": ((0.4310, 0.4302, 0.4463), (0.1965, 0.1984, 0.1992)),
}


def official_image_pipeline(stats: str = "cifar10"):
    """The official CIFAR/SVHN transforms on raw 0…255 pixels (the workflow's
    `normalize: none`): RandomHorizontalFlip, RandomCrop(32, padding=4) with black
    padding (training only), ToTensor (÷255), Normalize(mean, std) per channel."""
    if stats not in CHANNEL_STATS:
        raise ValueError(f"unknown channel statistics {stats!r}; known: {', '.join(CHANNEL_STATS)}")
    mean, std = (torch.tensor(v).view(1, 3, 1, 1) for v in CHANNEL_STATS[stats])

    def transform(x: torch.Tensor, train: bool, generator) -> torch.Tensor:
        x = x / 255.0
        if train:
            x = random_crop_flip(x, generator, padding=4, pad_value=0.0)
        return (x - mean.to(x.device)) / std.to(x.device)

    return transform


def stats_argument(default: str = "cifar10") -> str:
    """`--stats NAME` among a model script's arguments (before `serve`)."""
    import sys
    args = sys.argv[1:]
    return args[args.index("--stats") + 1] if "--stats" in args[:-1] else default
