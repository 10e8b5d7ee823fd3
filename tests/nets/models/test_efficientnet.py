"""EfficientNet-Lite0 built here from the packaged TF-port weights: loading, layers, photos."""
import pytest
import torch

from nets import registry
from nets.loading import load_file_into
from nets.models import efficientnet as family
from nets.models.efficientnet import Conv2dSame, EfficientNetLite0
from nets.taps import tap

from .photos import CAT_CLASSES, COFFEE_CLASSES, crops, photo


@pytest.fixture(scope="module")
def model():
    return registry.load("efficientnet_lite0")


def bare(same_padding=True):
    return load_file_into(EfficientNetLite0(same_padding=same_padding), family.weights_path()).eval()


def test_weights_file_loads_strictly():
    # raises ModelLoadError on any missing / unexpected key or shape
    load_file_into(EfficientNetLite0(), family.weights_path())


def test_registry_entry_metadata():
    entry = registry.get("efficientnet_lite0")
    assert registry.names()[:2] == ["mobilenet_v2", "efficientnet_lite0"]
    assert entry.available() and entry.checkpoints() == [0]
    assert (entry.arch, entry.training) == ("efficientnet_lite0", "Standard")
    assert entry.title == "EfficientNet-Lite0 · Standard"
    assert entry.default_layer == "block11"
    assert entry.weights_id().startswith("57934424")  # the file name carries its sha256 prefix


def test_declared_layers_match_a_real_forward(model):
    names = [l.name for l in family.LAYERS]
    assert names == ["stem"] + [f"block{i}" for i in range(1, 17)] + ["head"]
    with torch.inference_mode(), tap(model, names) as acts:
        model(torch.rand(1, 3, 224, 224))
    for layer in family.LAYERS:
        assert acts[layer.name].shape == (1, *layer.shape), layer.name


def test_normalisation_is_inside_the_wrapper(model):
    gray = torch.full((1, 3, 224, 224), 0.25)
    with torch.inference_mode():
        wrapped = model(gray)
        assert torch.allclose(wrapped, model.net((gray - 0.5) / 0.5), atol=1e-5)
        assert not torch.allclose(wrapped, model.net(gray), atol=1e-2)


def test_cat_photo_is_a_cat_and_coffee_is_coffee(model):
    with torch.inference_mode():
        logits = model(torch.cat([photo("chelsea"), photo("coffee")]))
    assert logits.shape == (2, 1000)
    assert logits[0].argmax().item() in CAT_CLASSES
    assert set(logits[1].topk(5).indices.tolist()) & COFFEE_CLASSES


def test_tf_same_padding_pads_bottom_right():
    assert Conv2dSame(1, 1, 3, stride=2)._pads(224, 3, 2) == (0, 1)
    assert Conv2dSame(1, 1, 5, stride=2)._pads(112, 5, 2) == (1, 2)
    assert Conv2dSame(1, 1, 5)._pads(14, 5, 1) == (2, 2)
    assert Conv2dSame(1, 1, 3, stride=2, same=False)._pads(224, 3, 2) == (1, 1)


def test_tf_same_padding_fits_these_weights_better():
    """Symmetric (PyTorch) padding shifts every stride-2 layer by a pixel: less sure of the truth."""
    def nll(net, images, classes):
        with torch.inference_mode():
            probs = net((images - 0.5) / 0.5).softmax(1)
        return -probs[:, sorted(classes)].sum(1).log().mean().item()

    cats, coffee = crops("chelsea", 6), crops("coffee", 6)
    same, symmetric = bare(True), bare(False)
    assert nll(same, cats, CAT_CLASSES) < nll(symmetric, cats, CAT_CLASSES)
    assert nll(same, coffee, COFFEE_CLASSES) < nll(symmetric, coffee, COFFEE_CLASSES)
