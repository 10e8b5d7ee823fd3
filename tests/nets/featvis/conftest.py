"""Tiny exact models for feature visualisation: hand-set weights, so the best image is known."""
from collections import OrderedDict

import pytest
import torch
from torch import nn

from nets.classifier import Classifier, Layer


def colour_net() -> nn.Sequential:
    """1x1 conv to three colour-opponent channels (R-B, G-R, B-G) + 1, ReLU, mean, identity logits."""
    conv = nn.Conv2d(3, 3, 1)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([[1., 0., -1.], [-1., 1., 0.], [0., -1., 1.]]).view(3, 3, 1, 1))
        conv.bias.fill_(1.0)  # positive on the grey start image: no pixel starts behind a dead ReLU
    fc = nn.Linear(3, 3)
    with torch.no_grad():
        fc.weight.copy_(torch.eye(3))
        fc.bias.zero_()
    return nn.Sequential(OrderedDict(conv=conv, relu=nn.ReLU(), pool=nn.AdaptiveAvgPool2d(1),
                                     flat=nn.Flatten(), fc=fc))


@pytest.fixture
def colour_model():
    """A Classifier (mean 0.5, std 0.25 inside) whose layer "opponent" has channels
    0 = red - blue, 1 = green - red, 2 = blue - green (of the normalised image, plus 1);
    logit i = mean of channel i."""
    return Classifier("colour", colour_net(), (0.5,) * 3, (0.25,) * 3,
                      (Layer("opponent", "relu", 3, 224),))
