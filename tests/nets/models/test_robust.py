"""Adversarially trained and Stylized-ImageNet ResNet-50s, as their training code saved them.

Checkpoints are built here with random weights in the published layouts (wrappers,
prefixes, the attacker's copy, numpy numbers next to the weights); nothing is downloaded.
"""
import argparse
import os

import numpy as np
import pytest
import torch
import torchvision

from nets import registry
from nets.loading import ModelLoadError
from nets.models import robust as family

from .weights_dirs import use_empty_dirs


@pytest.fixture
def dirs(monkeypatch, tmp_path):
    return use_empty_dirs(monkeypatch, tmp_path)


@pytest.fixture
def user_entries():
    before = set(registry.names())
    yield
    for name in set(registry.names()) - before:
        registry.unregister(name)


def resnet(arch="resnet18"):
    torch.manual_seed(0)
    return torchvision.models.get_model(arch, weights=None).eval()


def robustness_layout(sd):
    """robustness library: model and attacker copies behind module., plus the normaliser."""
    wrapped = {f"module.model.{k}": v for k, v in sd.items()}
    wrapped.update({f"module.attacker.model.{k}": v for k, v in sd.items()})
    wrapped["module.normalizer.new_mean"] = torch.zeros(3, 1, 1)
    wrapped["module.attacker.normalize.new_std"] = torch.ones(3, 1, 1)
    return {"model": wrapped, "optimizer": {"state": {}, "param_groups": [{"lr": 0.1}]},
            "schedule": None, "epoch": 90}


def sin_layout(sd):
    """Stylized-ImageNet release: DataParallel keys under state_dict, numpy accuracy."""
    return {"epoch": 60, "arch": "resnet50", "best_prec1": np.float64(61.2),
            "state_dict": {f"module.{k}": v for k, v in sd.items()}}


def test_entries_listed_with_their_training():
    entries = {name: registry.get(name) for name in family.MODELS}
    assert entries["resnet50_sin"].training == "Stylized"
    assert entries["resnet50_robust_l2_3"].training == "Adv. Trained"
    assert entries["resnet50_robust_l2_3"].title == "ResNet-50 · Adv. Trained (L2 ε = 3)"
    assert all(e.arch == "resnet50" and e.default_layer == "layer3.5" for e in entries.values())
    order = registry.names()
    assert order.index("resnet50") < order.index("resnet50_sin") < order.index("resnet50_robust_l2_3")


def test_published_robustness_file_is_found_and_unwrapped(dirs):
    user, _ = dirs
    reference = resnet("resnet50")
    torch.save(robustness_layout(reference.state_dict()), user / "imagenet_l2_3_0.pt")
    entry = registry.get("resnet50_robust_l2_3")
    assert entry.available() and not registry.available("resnet50_robust_linf_4")
    model = entry.load()
    assert model.name == "resnet50_robust_l2_3"
    assert torch.equal(model.net.fc.weight, reference.fc.weight)


@pytest.mark.parametrize("layout", [robustness_layout, sin_layout,
                                    lambda sd: {f"model.{k}": v for k, v in sd.items()},
                                    lambda sd: {"state_dict": {f"module.model.{k}": v for k, v in sd.items()}}],
                         ids=["robustness", "stylized", "model-prefix", "nested-prefixes"])
def test_wrapped_checkpoints_of_any_arch(tmp_path, user_entries, layout):
    reference = resnet()
    path = tmp_path / "my_run.pth.tar"
    torch.save(layout(reference.state_dict()), path)
    entry = registry.register_user_checkpoint(path, "resnet18", training="Adv. Trained")
    assert (entry.name, entry.arch, entry.title) == ("my_run", "resnet18", "ResNet-18 · Adv. Trained")
    model = entry.load()
    x = torch.rand(1, 3, 224, 224)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.inference_mode():
        assert torch.allclose(model(x), reference((x - mean) / std), atol=1e-4)


def test_old_numpy_and_legacy_format_are_read(tmp_path, user_entries):
    """Files from 2019: torch's legacy (non-zip) format, numpy 1's module names."""
    path = tmp_path / "old.pt"
    torch.save(sin_layout(resnet().state_dict()), path, _use_new_zipfile_serialization=False)
    data = path.read_bytes()
    assert b"numpy._core.multiarray\nscalar" in data
    path.write_bytes(data.replace(b"numpy._core.multiarray\nscalar", b"numpy.core.multiarray\nscalar"))
    registry.register_user_checkpoint(path, "resnet18").load()


def test_objects_beside_the_weights_are_refused_by_key(tmp_path, user_entries):
    ckpt = sin_layout(resnet().state_dict())
    ckpt["args"] = argparse.Namespace(lr=0.1)
    path = tmp_path / "with_args.pth"
    torch.save(ckpt, path)
    entry = registry.register_user_checkpoint(path, "resnet18")
    with pytest.raises(ModelLoadError) as err:
        entry.load()
    msg = str(err.value)
    assert str(path) in msg and "'args'" in msg and "argparse.Namespace" in msg
    assert "safetensors" in msg


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_malicious_checkpoint_runs_nothing(dirs):
    user, _ = dirs
    marker = user / "pwned"
    ckpt = robustness_layout(resnet().state_dict())
    ckpt["schedule"] = Evil(marker)
    torch.save(ckpt, user / "resnet50_robust_linf_8.pt")
    with pytest.raises(ModelLoadError, match="refused") as err:
        registry.load("resnet50_robust_linf_8")
    assert "'schedule'" in str(err.value) and "system" in str(err.value)
    assert not marker.exists()
