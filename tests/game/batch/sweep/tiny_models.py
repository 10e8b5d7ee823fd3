"""Tiny exact models for probe tests, importable by spec ("py:tests.game.batch.sweep.tiny_models:conv")
in this process, in spawned processes and in Ray workers."""
import torch
from torch import nn

from nets.classifier import Classifier, Layer


def conv() -> Classifier:
    """A fixed random 2-layer conv net with 10 outputs; layers c0 (6 ch) and c1 (6 ch)."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 6, 3, stride=2, padding=1), nn.ReLU(),
                        nn.Conv2d(6, 6, 3, padding=1), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 10))
    layers = (Layer("c0", "1", 6, 112), Layer("c1", "3", 6, 112))
    return Classifier("tiny_conv", net, (0.5,) * 3, (0.25,) * 3, layers)


class _Constant(nn.Module):
    """Ignores its input: the same logits for every image."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 1)
        self.register_buffer("out", torch.linspace(2.0, -2.0, 12))

    def forward(self, x):
        feats = self.conv(x) * 0.0
        return self.out.expand(x.shape[0], -1) + feats.mean() * 0.0


def constant() -> Classifier:
    """A model whose logits do not depend on the image (12 classes, class 0 on top)."""
    layers = (Layer("c", "conv", 4, 224),)
    return Classifier("tiny_constant", _Constant(), (0.0,) * 3, (1.0,) * 3, layers)
