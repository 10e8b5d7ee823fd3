"""Tiny models with hand-set weights: their gradients are known exactly."""
import pytest
import torch
from torch import nn


class ChannelMeans(nn.Module):
    """logit k = w_k * mean(channel k) + b_k: each class looks at its own channel only,
    so a step towards one class cannot move another's logit."""

    def __init__(self, w=(2.0, 3.0, 4.0), b=(0.0, 0.0, 0.5)):
        super().__init__()
        self.linear = nn.Linear(3, 3)
        with torch.no_grad():
            self.linear.weight.copy_(torch.diag(torch.tensor(w)))
            self.linear.bias.copy_(torch.tensor(b))
        self.requires_grad_(False)
        self.modes_seen: list[bool] = []  # self.training at every forward

    def forward(self, x):
        self.modes_seen.append(self.training)
        return self.linear(x.mean(dim=(2, 3)))


@pytest.fixture
def means():
    return ChannelMeans().eval()


@pytest.fixture
def mixer():
    """conv(3->4) -> relu -> linear(4*4*4 -> 5) on 8x8 images, fixed seed, frozen."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.ReLU(),
                        nn.Flatten(), nn.Linear(4 * 4 * 4, 5)).eval()
    return net.requires_grad_(False)


def grey(h=8, w=8, batch=None):
    x = torch.full((3, h, w), 0.5)
    return x if batch is None else x.expand(batch, 3, h, w).clone()
