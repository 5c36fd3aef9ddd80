"""VGG-16 without batch normalisation, CIFAR variant (the noise-stability code's vgg16).

13 conv 3×3 layers (configuration D) with ReLU and five max-pools turn a 3×32×32
image into 512 features; the classifier is Dropout → Linear 512→512 → ReLU →
Dropout → Linear 512→512 → ReLU → Linear 512→classes. Convolutions start from
N(0, √(2/n)) with n = k·k·out_channels and zero bias, as there. Training uses the
paper's CIFAR augmentation (random horizontal flip, random crop 32 with padding 4).

The embedding is the input of the last linear layer (512 features after the
classifier's second ReLU); the official code's core-set uses the 512 features
entering the classifier instead.
"""
import math

from torch import nn

import _helper_path  # noqa: F401
from alflow_model import official_image_pipeline, serve, stats_argument

CONFIG_D = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def make_features(config, channels=3):
    layers = []
    for v in config:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(channels, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, features, classes=10):
        super().__init__()
        self.features = features
        self.classifier = nn.Sequential(
            nn.Dropout(), nn.Linear(512, 512), nn.ReLU(True),
            nn.Dropout(), nn.Linear(512, 512), nn.ReLU(True),
            nn.Linear(512, classes),
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2.0 / n))
                m.bias.data.zero_()

    def forward(self, x):
        x = self.features(x)
        return self.classifier(x.reshape(x.shape[0], -1))


def build(classes, feature_shape):
    if list(feature_shape) not in ([], [3, 32, 32]):
        raise ValueError(f"this VGG-16 takes 3×32×32 images, not {feature_shape}")
    return VGG(make_features(CONFIG_D), classes)


if __name__ == "__main__":
    serve(build, name="vgg16_cifar", transform=official_image_pipeline(stats_argument("cifar10")), probe_shape=(3, 32, 32),
          infer_batch_size=500)
