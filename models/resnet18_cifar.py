"""ResNet-18, CIFAR variant (3×3 stem, no max-pool; the noise-stability code's ResNet18).

The official blocks can switch dropout on (after the first conv's ReLU and after the
second conv's batch norm) for MC dropout; here those are nn.Dropout layers that are
off during training (p = 0) and get the request's probability for MC dropout.
Training uses the CIFAR augmentation (random flip, random crop 32 padding 4).
"""
from torch import nn
import torch.nn.functional as F

import _helper_path  # noqa: F401
from alflow_model import official_image_pipeline, serve, stats_argument


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))
        self.drop1 = nn.Dropout(0.0)
        self.drop2 = nn.Dropout(0.0)

    def forward(self, x):
        out = self.drop1(F.relu(self.bn1(self.conv1(x))))
        out = self.drop2(self.bn2(self.conv2(out)))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, blocks, classes=10, channels=3):
        super().__init__()
        self.in_planes = 64
        self.conv1 = nn.Conv2d(channels, 64, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = self._layer(64, blocks[0], 1)
        self.layer2 = self._layer(128, blocks[1], 2)
        self.layer3 = self._layer(256, blocks[2], 2)
        self.layer4 = self._layer(512, blocks[3], 2)
        self.linear = nn.Linear(512, classes)

    def _layer(self, planes, count, stride):
        layers = []
        for s in [stride] + [1] * (count - 1):
            layers.append(BasicBlock(self.in_planes, planes, s))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        out = F.avg_pool2d(out, 4)
        return self.linear(out.reshape(out.shape[0], -1))


def build(classes, feature_shape):
    if list(feature_shape) not in ([], [3, 32, 32]):
        raise ValueError(f"this ResNet-18 takes 3×32×32 images, not {feature_shape}")
    return ResNet([2, 2, 2, 2], classes)


if __name__ == "__main__":
    serve(build, name="resnet18_cifar", transform=official_image_pipeline(stats_argument("cifar10")), probe_shape=(3, 32, 32),
          infer_batch_size=500)
