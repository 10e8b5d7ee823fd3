"""Lucid's InceptionV1 built here: lucent's keys, lucent's numbers, Lucid's class order.

The real ``inception5h.pth`` cannot be downloaded here; a fake one with random weights
is generated from our own architecture and saved where lucent would keep it.
"""
import pytest
import torch

from nets import registry
from nets.labels import names as imagenet_names
from nets.models import inceptionv1 as family
from nets.models.inceptionv1 import InceptionV1
from nets.taps import tap

from .weights_dirs import use_empty_dirs


def random_state_dict(seed=0):
    torch.manual_seed(seed)
    net = InceptionV1()
    for p in net.parameters():  # the default init leaves logits near zero: spread them
        p.data.normal_(0, 0.05)
    return net.state_dict()


@pytest.fixture(scope="module")
def state_dict():
    return random_state_dict()


def test_keys_and_shapes_are_lucents(state_dict):
    lucent = pytest.importorskip("lucent.modelzoo.inceptionv1.InceptionV1")
    theirs = lucent.InceptionV1(redirected_ReLU=False).state_dict()
    assert {k: v.shape for k, v in theirs.items()} == {k: v.shape for k, v in state_dict.items()}


def test_same_logits_as_lucent(state_dict):
    lucent = pytest.importorskip("lucent.modelzoo.inceptionv1.InceptionV1")
    theirs = lucent.InceptionV1(redirected_ReLU=False).eval()
    theirs.load_state_dict(state_dict)
    ours = InceptionV1(outputs="lucid").eval()
    ours.load_state_dict(state_dict)
    x = torch.rand(1, 3, 224, 224) * 255 - 117
    with torch.inference_mode(), tap(theirs, ["softmax2_pre_activation_matmul", "mixed4d"]) as acts:
        theirs(x)
        with tap(ours, ["mixed4d"]) as our_acts:
            logits = ours(x)
    assert torch.allclose(our_acts["mixed4d"], acts["mixed4d"], atol=1e-4)
    assert torch.allclose(logits, acts["softmax2_pre_activation_matmul"], atol=1e-4)


def test_found_in_the_hub_cache_and_wrapped(monkeypatch, tmp_path, state_dict):
    user, hub = use_empty_dirs(monkeypatch, tmp_path)
    entry = registry.get("inceptionv1")
    assert not entry.available()
    torch.save(state_dict, hub / "inception5h.pth")
    assert entry.available() and entry.weights_path().name == "inception5h.pth"
    assert (entry.title, entry.default_layer) == ("InceptionV1 (Lucid) · Standard", "mixed4d")
    model = entry.load()
    x = torch.rand(1, 3, 224, 224)
    names = [l.name for l in model.layers]
    assert names == ["conv2d0", "conv2d1", "conv2d2", "mixed3a", "mixed3b", "mixed4a", "mixed4b",
                     "mixed4c", "mixed4d", "mixed4e", "mixed5a", "mixed5b"]
    with torch.inference_mode(), tap(model, names) as acts:
        logits = model(x)
    for layer in model.layers:
        assert acts[layer.name].shape == (1, *layer.shape), layer.name
    raw = InceptionV1(outputs="lucid").eval()
    raw.load_state_dict(state_dict)
    with torch.inference_mode():
        lucid_logits = raw(x * 255 - 117)  # Lucid's input range, done by the wrapper
    assert logits.shape == (1, 1000)
    assert torch.allclose(logits, lucid_logits[:, list(family.imagenet_to_lucid())], atol=1e-3)
    assert model.label(281) == "tabby"  # standard order: standard labels


def test_raw_lucid_outputs_have_their_own_labels(tmp_path, state_dict):
    path = tmp_path / "inception5h.pth"
    torch.save(state_dict, path)
    model = registry.get_arch("inceptionv1_lucid_outputs").build(path)
    with torch.inference_mode():
        assert model(torch.rand(1, 3, 224, 224)).shape == (1, 1008)
    assert model.label(0).startswith("dummy") and model.label(1007).startswith("unused")
    assert (model.label(1), model.label(8), model.label(947)) == ("kit fox", "Egyptian cat", "espresso")
    with pytest.raises(IndexError):
        model.label(1008)


def test_lucid_class_order_agrees_with_torchvision():
    """Lucid lists ILSVRC2012 classes in the devkit's order; torchvision sorts their WordNet ids."""
    classes = family.lucid_classes()
    assert len(classes) == 1000 and len({wnid for wnid, _ in classes}) == 1000
    to_lucid = family.imagenet_to_lucid()
    assert sorted(to_lucid) == list(range(1, 1001))
    ours = [classes[to_lucid[i] - 1][1] for i in range(1000)]
    differ = [(o, t) for o, t in zip(ours, imagenet_names()) if o != t]
    # torchvision disambiguates its two duplicate names; everything else is identical
    assert differ == [("crane", "crane bird"), ("maillot", "maillot tank suit")]
    assert (to_lucid[281], to_lucid[285], to_lucid[967]) == (174, 8, 947)


def test_bad_outputs_argument():
    with pytest.raises(ValueError, match="imagenet"):
        InceptionV1(outputs="softmax")
