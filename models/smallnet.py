"""The noise-stability paper's SmallNet for MNIST (backbone.py of the official code).

conv 5×5 1→32 → maxpool 2 → ReLU → conv 5×5 32→64 → maxpool 2 → ReLU → flatten 1024
→ fc1 1024→128 (no activation: the embedding) → fc2 128→classes.
bn1..bn3 and conv3 exist as in the official code but forward never uses them (they
still receive weight noise, as there). Dropout sits after each conv block and after
fc1; as in the official code it is off during training (p = 0) and switched on only
for MC dropout, where the request sets its probability (0.3 in the paper's runs).
"""
from torch import nn
import torch.nn.functional as F

import _helper_path  # noqa: F401
from alflow_model import serve


class SmallNet(nn.Module):
    def __init__(self, classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
        self.bn2 = nn.BatchNorm2d(64)
        self.conv3 = nn.Conv2d(64, 128, kernel_size=3)
        self.bn3 = nn.BatchNorm2d(128)
        self.fc1 = nn.Linear(1024, 128)
        self.fc2 = nn.Linear(128, classes)
        self.drop1 = nn.Dropout(0.0)
        self.drop2 = nn.Dropout(0.0)
        self.drop3 = nn.Dropout(0.0)

    def forward(self, x):
        x = self.drop1(F.relu(F.max_pool2d(self.conv1(x), 2)))
        x = self.drop2(F.relu(F.max_pool2d(self.conv2(x), 2)))
        x = self.drop3(self.fc1(x.reshape(x.shape[0], 1024)))
        return self.fc2(x)


def build(classes, feature_shape):
    if list(feature_shape) not in ([], [1, 28, 28]):
        raise ValueError(f"SmallNet takes 1×28×28 images, not {feature_shape}")
    return SmallNet(classes)


if __name__ == "__main__":
    serve(build, name="smallnet")
