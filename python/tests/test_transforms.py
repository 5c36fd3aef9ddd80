"""The batched flip + crop equals a per-image loop with the same draws."""
from __future__ import annotations

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402

from alflow_model.transforms import cifar_augment, random_crop_flip  # noqa: E402


class TransformTests(unittest.TestCase):
    def test_matches_a_per_image_loop(self):
        x = torch.randn(6, 3, 32, 32, generator=torch.Generator().manual_seed(0))
        got = random_crop_flip(x, torch.Generator().manual_seed(9), padding=4)
        g = torch.Generator().manual_seed(9)
        flip = torch.rand(6, generator=g) < 0.5
        dy = torch.randint(0, 9, (6,), generator=g)
        dx = torch.randint(0, 9, (6,), generator=g)
        for i in range(6):
            image = x[i].flip(2) if flip[i] else x[i]
            padded = torch.zeros(3, 40, 40)
            padded[:, 4:36, 4:36] = image
            expected = padded[:, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
            self.assertTrue(torch.equal(got[i], expected), i)
        self.assertTrue(flip.any() and not flip.all())

    def test_inference_leaves_images_alone(self):
        x = torch.randn(2, 3, 32, 32)
        self.assertIs(cifar_augment(x, False, None), x)


if __name__ == "__main__":
    unittest.main()
