"""torchvision classifiers from the hub cache: layer tables, file discovery, key fixes.

Weights are random state_dicts built here and saved where torchvision would keep them;
nothing is downloaded.
"""
import re

import pytest
import torch
import torchvision

from nets import registry
from nets.loading import ModelLoadError
from nets.models import torchvision_nets as family

from .weights_dirs import use_empty_dirs

IMAGENET_MEAN = torch.tensor(family.IMAGENET_MEAN).view(1, 3, 1, 1)
IMAGENET_STD = torch.tensor(family.IMAGENET_STD).view(1, 3, 1, 1)


@pytest.fixture
def hub(monkeypatch, tmp_path):
    return use_empty_dirs(monkeypatch, tmp_path)[1]


def random_net(arch, **kwargs):
    torch.manual_seed(0)
    return torchvision.models.get_model(arch, weights=None, **kwargs).eval()


@pytest.mark.parametrize("arch", list(family.SPECS))
def test_declared_layers_match_a_forward(arch):
    """Shapes from a forward on the meta device: no weights, no arithmetic, milliseconds."""
    spec = registry.get_arch(arch)
    with torch.device("meta"):
        net = spec.make().eval()
    shapes = {}

    def record(name):
        def hook(_module, _inputs, out):
            shapes.setdefault(name, tuple(out.shape[1:]))
        return hook

    for layer in spec.layers:
        net.get_submodule(layer.module).register_forward_hook(record(layer.name))
    net(torch.zeros(1, 3, 224, 224, device="meta"))
    assert {l.name: l.shape for l in spec.layers} == shapes
    assert spec.default_layer in shapes


def test_entries_are_listed_without_weights_and_without_building(hub, monkeypatch):
    def no_building(*_a, **_k):
        raise AssertionError("a network was built")

    monkeypatch.setattr(torchvision.models, "get_model", no_building)
    for arch in family.SPECS:
        entry = registry.get(arch)
        assert arch in registry.names()
        assert not entry.available() and entry.checkpoints() == []
        assert entry.title.endswith("· Standard") and entry.layers
        with pytest.raises(FileNotFoundError, match=arch):
            entry.load()


def test_file_patterns_take_torchvision_names_only():
    def matches(arch, name):
        return any(re.fullmatch(p, name) for p in family.file_patterns(arch))

    assert matches("resnet50", "resnet50-0676ba61.pth") and matches("resnet50", "resnet50-11ad3fa6.pth")
    assert matches("resnet50", "resnet50-deadbeef.pth")
    assert not matches("resnet50", "resnet50_sin.pth") and not matches("resnet50", "resnet50-v2.pth")
    assert not matches("resnet18", "resnet50-0676ba61.pth")
    assert matches("alexnet", "alexnet-owt-7be5be79.pth")
    assert matches("efficientnet_b0", "efficientnet_b0_rwightman-7f5810bc.pth")
    assert matches("googlenet", "googlenet-1378be20.pth")
    assert matches("resnet50", "resnet50.safetensors")  # what `perturber weights fetch` writes
    assert not matches("resnet50", "resnet50_sin.safetensors")


@pytest.mark.parametrize("file", list(family.CHECKSUMS))
def test_recorded_checksums_agree_with_what_torchvision_publishes(file):
    """The name carries the sha256's first 8 hex digits; torchvision gives the size in MiB."""
    size, sha256 = family.CHECKSUMS[file]
    arch = next(a for a in family.SPECS if family.source(a).file == file)
    weights = torchvision.models.get_model_weights(arch)["IMAGENET1K_V1"]
    assert sha256.startswith(file.rsplit("-", 1)[1].split(".")[0])
    assert round(size / 2**20, 3) == pytest.approx(weights.meta["_file_size"], abs=0.001)
    assert family.source(arch).verifiable


def test_resnet18_from_the_hub_cache(hub):
    reference = random_net("resnet18")
    torch.save(reference.state_dict(), hub / "resnet18-f37072fd.pth")
    entry = registry.get("resnet18")
    assert entry.available() and entry.checkpoints() == [0]
    assert entry.weights_path() == hub / "resnet18-f37072fd.pth"
    model = entry.load()
    x = torch.rand(1, 3, 224, 224)
    with torch.inference_mode():
        assert torch.allclose(model(x), reference((x - IMAGENET_MEAN) / IMAGENET_STD), atol=1e-4)
    assert not any(p.requires_grad or p.is_meta for p in model.parameters())
    assert not any(b.is_meta for b in model.buffers())


def test_official_file_name_is_preferred_over_other_hashes(hub):
    torch.save({}, hub / "resnet18-00000000.pth")
    torch.save({}, hub / "resnet18-f37072fd.pth")
    assert registry.get("resnet18").weights_path().name == "resnet18-f37072fd.pth"


def test_googlenet_drops_aux_heads_and_matches_torchvision_input_transform(hub):
    """mean = std = 0.5 without transform_input == ImageNet normalisation with it."""
    with_aux = random_net("googlenet", aux_logits=True, init_weights=False)
    sd = with_aux.state_dict()
    assert any(k.startswith("aux1.") for k in sd)
    torch.save(sd, hub / "googlenet-1378be20.pth")
    model = registry.load("googlenet")
    reference = random_net("googlenet", aux_logits=False, init_weights=False, transform_input=True)
    reference.load_state_dict({k: v for k, v in sd.items() if not k.startswith("aux")})
    x = torch.rand(1, 3, 224, 224)
    with torch.inference_mode():
        assert torch.allclose(model(x), reference((x - IMAGENET_MEAN) / IMAGENET_STD), atol=1e-4)


def test_densenet_old_key_names_are_renamed(hub):
    sd = random_net("densenet121").state_dict()
    old = {re.sub(r"(denselayer\d+\.(?:norm|relu|conv))([12])\.", r"\1.\2.", k): v for k, v in sd.items()}
    assert "features.denseblock1.denselayer1.norm.1.weight" in old
    torch.save(old, hub / "densenet121-a639ec97.pth")
    model = registry.load("densenet121")
    assert torch.equal(model.net.features.denseblock1.denselayer1.norm1.weight,
                       sd["features.denseblock1.denselayer1.norm1.weight"])


def test_wrong_architecture_in_the_file_is_named(hub):
    path = hub / "resnet50-0676ba61.pth"
    torch.save(random_net("resnet18").state_dict(), path)
    with pytest.raises(ModelLoadError) as err:
        registry.load("resnet50")
    msg = str(err.value)
    assert str(path) in msg and "layer1.0.conv1.weight" in msg
