import pytest
import torch
from torch import nn

from nets.classifier import Classifier, Layer
from nets.forward import forward
from nets.taps import hook_count


class Counting(nn.Module):
    """Identity that counts its calls: proves what a truncated pass did not run."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return x


def model():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.ReLU(), Counting(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 5))
    layers = (Layer("conv", "0", 4, 4), Layer("relu", "1", 4, 4))
    return Classifier("tiny", net, (0.5,) * 3, (0.5,) * 3, layers)


def test_full_pass_gives_activations_and_the_same_logits_as_a_plain_call():
    m, x = model(), torch.rand(2, 3, 8, 8)
    out = forward(m, x, "relu")
    assert out.activations.shape == (2, 4, 4, 4) and (out.activations >= 0).all()
    assert torch.equal(out.logits, m(x))


def test_truncated_pass_stops_at_the_layer():
    m = model()
    out = forward(m, torch.rand(3, 8, 8), "conv", logits=False)
    assert out.logits is None and out.activations.shape == (1, 4, 4, 4)
    assert m.net[2].calls == 0  # nothing above the layer ran
    forward(m, torch.rand(3, 8, 8), "conv")
    assert m.net[2].calls == 1


def test_no_layer_and_no_logits_runs_nothing_and_hooks_never_stay():
    m = model()
    assert forward(m, torch.rand(1, 3, 8, 8), None, logits=False).logits is None
    assert m.net[2].calls == 0
    for logits in (True, False):
        for _ in range(10):
            forward(m, torch.rand(1, 3, 8, 8), "relu", logits=logits)
    assert hook_count(m) == 0
    with pytest.raises(KeyError):
        forward(m, torch.rand(1, 3, 8, 8), "nope")
    assert hook_count(m) == 0
