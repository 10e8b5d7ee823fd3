import numpy as np
import pytest
import torch
from torch import nn

from nets.classifier import Classifier


class Tiny(nn.Module):
    def __init__(self, classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                      nn.Flatten())
        self.classifier = nn.Linear(8, classes)

    def forward(self, x):
        return self.classifier(self.features(x))


def tiny_classifier(seed: int) -> Classifier:
    torch.manual_seed(seed)
    return Classifier("tiny", Tiny(), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25), ())


@pytest.fixture
def tiny():
    return tiny_classifier


@pytest.fixture
def renders():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (12, 40, 40, 3), dtype=np.uint8)
