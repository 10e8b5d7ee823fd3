"""Which tensors each edit slider moves."""
import pytest
import torch
from torch import nn

from nets.editing import CLASSIFIER, block_keys, block_names
from nets.editing.blocks import blocks_of


def test_one_block_per_tappable_layer_plus_the_classifier(models):
    m1, _ = models
    b = block_keys(m1)
    assert list(b) == ["c1", "c2", CLASSIFIER] == block_names(m1)
    assert b["c1"] == ("features.0.0.weight", "features.0.0.bias", "features.0.1.weight",
                       "features.0.1.bias", "features.0.1.running_mean",
                       "features.0.1.running_var", "features.0.1.num_batches_tracked")
    assert b[CLASSIFIER] == ("classifier.weight", "classifier.bias")
    every = [k for keys in b.values() for k in keys]
    assert sorted(every) == sorted(m1.net.state_dict()) and len(set(every)) == len(every)


class Flat(nn.Module):
    """Lucid's flat InceptionV1 naming, a layer tapped after its activation
    (EfficientNet's stem_act), and a weightless layer."""

    def __init__(self):
        super().__init__()
        self.stem_conv = nn.Conv2d(3, 2, 1)
        self.stem_act = nn.ReLU()
        self.mixed3a_1x1_conv = nn.Conv2d(2, 2, 1)
        self.mixed3a_3x3_conv = nn.Conv2d(2, 2, 3)
        self.mixed3a = nn.ReLU()
        self.idle = nn.Identity()
        self.fc = nn.Linear(2, 3)


def test_flat_names_activations_and_weightless_layers():
    layers = [("stem", "stem_act"), ("mixed3a", "mixed3a"), ("idle", "idle")]
    b = blocks_of(Flat(), layers)
    assert b == {"stem": ("stem_conv.weight", "stem_conv.bias"),
                 "mixed3a": ("mixed3a_1x1_conv.weight", "mixed3a_1x1_conv.bias",
                             "mixed3a_3x3_conv.weight", "mixed3a_3x3_conv.bias"),
                 CLASSIFIER: ("fc.weight", "fc.bias")}  # "idle" owns nothing: no block


def test_a_layer_module_the_network_lacks_is_an_error():
    with pytest.raises(ValueError, match="nope"):
        blocks_of(Flat(), [("x", "nope")])


def test_mobilenet_blocks(mobilenet):
    b = block_keys(mobilenet)
    assert list(b) == [l.name for l in mobilenet.layers] + [CLASSIFIER]
    assert b["conv_first"][0] == "features.0.0.weight"
    assert b[CLASSIFIER] == ("classifier.1.weight", "classifier.1.bias")


def test_every_registered_architecture_gets_one_block_per_layer_plus_classifier():
    from nets import registry

    for name in registry.arch_names():
        arch = registry.get_arch(name)
        with torch.device("meta"):  # structure only: no weights, no initialisation cost
            net = arch.make()
        b = blocks_of(net, [(l.name, l.module) for l in arch.layers])
        assert list(b) == [l.name for l in arch.layers] + [CLASSIFIER], name
        every = [k for keys in b.values() for k in keys]
        assert sorted(every) == sorted(net.state_dict()), name
