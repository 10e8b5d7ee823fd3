import torch
import torchvision

from nets import registry
from nets.loading import load_file_into
from nets.models import mobilenet as family

from .photos import CAT_CLASSES, COFFEE_CLASSES, photo


def test_outputs_1000_logits(mobilenet):
    with torch.inference_mode():
        out = mobilenet(torch.rand(1, 3, 224, 224))
    assert out.shape == (1, 1000)
    assert torch.isfinite(out).all()


def test_normalisation_is_inside_the_wrapper(mobilenet):
    bare = load_file_into(torchvision.models.mobilenet_v2(), family.weights_path()).eval()
    gray = torch.full((1, 3, 224, 224), 0.5)
    mean = torch.tensor(family.IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(family.IMAGENET_STD).view(1, 3, 1, 1)
    with torch.inference_mode():
        wrapped = mobilenet(gray)
        manual = bare((gray - mean) / std)
        unnormalised = bare(gray)
    assert torch.allclose(wrapped, manual, atol=1e-5)
    assert not torch.allclose(wrapped, unnormalised, atol=1e-2)


def test_declared_layers_match_a_dry_run(mobilenet):
    assert [l.name for l in family.LAYERS] == (
        ["conv_first"] + [f"block{i}" for i in range(1, 18)] + ["conv_last"])
    x = torch.zeros(1, 3, 224, 224)
    with torch.inference_mode():
        for i, block in enumerate(mobilenet.net.features):
            x = block(x)
            layer = family.LAYERS[i]
            assert layer.module == f"features.{i}"
            assert mobilenet.layer_module(layer.name) is block
            assert tuple(x.shape[1:]) == layer.shape, layer.name


def test_weights_file_loads_strictly():
    # load_file_into raises ModelLoadError on any missing/unexpected key or shape
    load_file_into(torchvision.models.mobilenet_v2(), family.weights_path())


def test_cat_photo_is_a_cat_and_coffee_is_coffee(mobilenet):
    with torch.inference_mode():
        logits = mobilenet(torch.cat([photo("chelsea"), photo("coffee")]))
    assert logits[0].argmax().item() in CAT_CLASSES
    assert set(logits[1].topk(5).indices.tolist()) & COFFEE_CLASSES


def test_registry_entry_metadata():
    entry = registry.get("mobilenet_v2")
    assert (entry.arch, entry.training, entry.title) == ("mobilenet_v2", "Standard",
                                                         "MobileNetV2 · Standard")
    assert entry.default_layer == "block13"
    assert entry.checkpoints() == [0]
    assert entry.weights_id().startswith("b0353104")  # torchvision names files by sha256 prefix
