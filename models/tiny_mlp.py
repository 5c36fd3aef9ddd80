"""A tiny MLP for tests: flatten → 32 → ReLU → dropout → 16 (embedding) → classes
(1 output for regression)."""
import math

from torch import nn

import _helper_path  # noqa: F401
from alflow_model import serve


class TinyMLP(nn.Module):
    def __init__(self, inputs: int, classes: int):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(inputs, 32), nn.ReLU(), nn.Dropout(0.2),
                                  nn.Linear(32, 16), nn.ReLU())
        self.head = nn.Linear(16, classes)

    def forward(self, x):
        return self.head(self.body(x))


def build(classes, feature_shape):
    return TinyMLP(math.prod(feature_shape) if feature_shape else 64, classes)


if __name__ == "__main__":
    serve(build, name="tiny_mlp", tasks=("classification", "regression"), probe_shape=(1, 8, 8))
