"""Every registered model with weights here: onnxruntime and OpenVINO give torch's logits
and activations.

Logits within 1e-3 and the same top-5 on packaged photos; every tappable layer's
activations within 1e-4 of the layer's largest absolute activation. One export per
model, into a cache folder shared by this module (both runtimes read the same file).
"""
import pytest
import torch

from nets import registry
from nets.backends import OnnxBackend, OpenVinoBackend, TorchBackend
from nets.taps import tap

from ..models.photos import photo

PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")
LOGIT_ATOL = 1e-3
ACTIVATION_RTOL = 1e-4  # of the layer's largest |activation|
ENTRIES = [pytest.param(e.name, marks=pytest.mark.skipif(not e.available(),
                                                         reason=f"no weights for {e.name} here"))
           for e in registry.entries()]


@pytest.fixture(scope="module")
def images():
    return torch.cat([photo(name) for name in PHOTOS])


@pytest.fixture(scope="module", params=ENTRIES)
def model(request):
    return registry.load(request.param)


@pytest.fixture(scope="module", params=[OnnxBackend, OpenVinoBackend], ids=["onnx", "openvino"])
def pair(request, model, tmp_path_factory):
    """(classifier, the backend on its graph), one export per model."""
    return model, request.param(model, tmp_path_factory.getbasetemp() / "onnx")


def test_logits_and_top5_match_torch(pair, images):
    model, backend = pair
    expected = TorchBackend(model).forward(images).logits
    got = backend.forward(images).logits
    assert got.shape == expected.shape == (len(PHOTOS), 1000)
    assert (got - expected).abs().max().item() < LOGIT_ATOL
    assert torch.equal(got.topk(5).indices, expected.topk(5).indices)


def test_every_tappable_layer_matches_torch(pair, images):
    model, backend = pair
    names = [layer.name for layer in model.layers]
    with tap(model, names) as expected, torch.inference_mode():
        model(images[:2])
    for layer in model.layers:
        out = backend.forward(images[:2], layer.name, logits=False)
        ref = expected[layer.name]
        assert out.logits is None and out.activations.shape == (2, *layer.shape), layer.name
        scale = ref.abs().max().item()
        assert (out.activations - ref).abs().max().item() <= ACTIVATION_RTOL * scale, layer.name


def test_layer_and_logits_from_one_call_match_the_calls_for_each(pair, images):
    model, backend = pair
    layer = registry.get(model.name).default_layer
    both = backend.forward(images[0], layer)  # (3, H, W) is a batch of one
    assert torch.equal(both.logits, backend.forward(images[:1]).logits)
    assert torch.equal(both.activations, backend.forward(images[:1], layer, logits=False).activations)


def test_contract_as_nets_forward(pair, images):
    model, backend = pair
    nothing = backend.forward(images, None, logits=False)
    assert nothing.activations is None and nothing.logits is None
    with pytest.raises(KeyError):
        backend.forward(images, "no_such_layer")
    with pytest.raises(ValueError):
        backend.forward(images[:, :, :200, :200])

