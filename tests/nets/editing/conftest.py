"""Tiny exact models for the editing tests: two BatchNorm blocks and a classifier."""
import pytest
import torch
from torch import nn

from nets.classifier import Classifier, Layer
from nets.threads import torch_threads

LAYERS = (Layer("c1", "features.0", 4, 4), Layer("c2", "features.1", 3, 4))


class Tiny(nn.Module):
    """conv(3->4)+BN+ReLU -> conv(4->3)+BN+ReLU -> mean pool -> linear(3->2)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU()),
            nn.Sequential(nn.Conv2d(4, 3, 1), nn.BatchNorm2d(3), nn.ReLU()))
        self.classifier = nn.Linear(3, 2)

    def forward(self, x):
        return self.classifier(self.features(x).mean(dim=(2, 3)))


def make_tiny(seed: int, batches: int = 7) -> Classifier:
    torch.manual_seed(seed)
    net = Tiny()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):  # non-trivial statistics and affine params
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(0.1, 0.5)  # > 0: an unpruned channel is never all zero
                m.num_batches_tracked.fill_(batches)
    return Classifier(f"tiny{seed}", net, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25), LAYERS)


@pytest.fixture
def models():
    """(Model 1, Model 2): same architecture, different weights and batch counts."""
    return make_tiny(1, batches=7), make_tiny(2, batches=99)


@pytest.fixture
def images():
    torch.manual_seed(5)
    return torch.rand(2, 3, 4, 4)


def snapshot(model) -> dict:
    return {k: v.clone() for k, v in model.net.state_dict().items()}


def bits(t: torch.Tensor) -> torch.Tensor:
    """The raw bytes of a float tensor (so -0.0 != 0.0 and NaNs compare), else itself."""
    return t.detach().contiguous().reshape(-1).view(torch.uint8) if t.is_floating_point() else t


def same(a: dict, b: dict) -> bool:
    """Bit-identical state_dicts: same keys, dtypes, shapes and bytes."""
    return a.keys() == b.keys() and all(
        a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and torch.equal(bits(a[k]), bits(b[k]))
        for k in a)


@pytest.fixture(autouse=True)
def one_thread():
    """On a shared 2-core machine two OpenMP threads wait at every op's barrier for a
    descheduled partner (a MobileNetV2 forward here: 15 s instead of 0.1 s)."""
    with torch_threads(1):
        yield
