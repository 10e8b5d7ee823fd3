"""Pruning: exactly the channels whose magnitude rank lies in [rl, ru] are kept."""
import pytest
import torch

from nets.editing import CLASSIFIER, EditError, edited_classifier, keep_mask, prune_model
from nets.editing.prune import channel_magnitudes, prunable

from .conftest import same, snapshot


def magnitudes_weight(levels):
    """A (O, 2, 3, 3) conv weight whose channel o has mean |w| = levels[o] (mixed signs)."""
    w = torch.ones(len(levels), 2, 3, 3)
    w[:, 1] *= -1
    return w * torch.tensor(levels, dtype=torch.float32).view(-1, 1, 1, 1)


def test_channel_magnitudes_are_mean_absolute_weights():
    w = magnitudes_weight([3.0, 1.0, 4.0, 2.0])
    assert torch.equal(channel_magnitudes(w), torch.tensor([3.0, 1.0, 4.0, 2.0]))


@pytest.mark.parametrize("lo, hi, kept", [
    (0.0, 1.0, [0, 1, 2, 3]),
    (0.25, 0.75, [0, 3]),       # ranks 1, 2 of the ascending order 1, 3, 0, 2
    (0.5, 1.0, [0, 2]),         # the two strongest
    (0.0, 0.5, [1, 3]),         # the two weakest
    (0.0, 0.3, [1, 3]),         # rank fractions 0 and 0.25 are below 0.3
    (0.6, 0.6, []),
    (1.0, 1.0, []),
])
def test_keep_mask_by_rank_fraction(lo, hi, kept):
    mask = keep_mask(magnitudes_weight([3.0, 1.0, 4.0, 2.0]), lo, hi)
    assert torch.nonzero(mask).flatten().tolist() == kept


def test_rank_fractions_are_not_fooled_by_float_products():
    mask = keep_mask(magnitudes_weight([float(i + 1) for i in range(10)]), 0.3, 0.7)
    assert torch.nonzero(mask).flatten().tolist() == [3, 4, 5, 6]   # 0.3 * 10 = 3.0000000000000004
    tied = keep_mask(torch.ones(4, 1), 0.5, 1.0)                   # ties: stable order
    assert tied.tolist() == [False, False, True, True]
    with pytest.raises(EditError):
        keep_mask(torch.ones(4, 1), 0.7, 0.2)


def test_prune_zeroes_conv_bias_and_the_following_batchnorm(models, images):
    m1, _ = models
    with torch.no_grad():
        m1.net.features[0][0].weight.copy_(magnitudes_weight([3.0, 1.0, 4.0, 2.0])[:, :, :3, :3]
                                           .repeat(1, 2, 1, 1)[:, :3])
    before = snapshot(m1)
    state = prune_model(m1, {"c1": (0.25, 0.75)})
    dropped, kept = [1, 2], [0, 3]
    for key in ("features.0.0.weight", "features.0.0.bias", "features.0.1.weight",
                "features.0.1.bias"):
        assert torch.count_nonzero(state[key][dropped]) == 0, key
        assert torch.equal(state[key][kept], before[key][kept]), key
    for key in ("features.0.1.running_mean", "features.0.1.running_var"):
        assert torch.equal(state[key], before[key])
    for key in [k for k in before if not k.startswith("features.0.")]:
        assert torch.equal(state[key], before[key])  # other blocks untouched
    edited = edited_classifier(m1, state)
    acts = edited.net.features[0](edited.normalise(images))
    assert torch.count_nonzero(acts[:, dropped]) == 0       # really switched off
    assert torch.count_nonzero(acts[:, kept]) > 0
    assert same(snapshot(m1), before)                        # Model 1 never changes


def test_full_range_changes_nothing_and_an_empty_range_kills_the_block(models, images):
    m1, _ = models
    assert same(prune_model(m1, {"c1": (0.0, 1.0), "c2": (0, 1), CLASSIFIER: (0, 1)}),
                m1.net.state_dict())
    state = prune_model(m1, {"c2": (0.5, 0.5)})
    edited = edited_classifier(m1, state)
    x = edited.normalise(images)
    assert torch.count_nonzero(edited.net.features(x)) == 0
    assert torch.equal(edited(images), m1.net.classifier.bias.expand(2, 2))


def test_the_classifier_block_prunes_linear_rows(models):
    m1, _ = models
    state = prune_model(m1, {CLASSIFIER: (0.5, 1.0)})  # 2 outputs: the weaker row goes
    w = m1.net.classifier.weight
    weak = int(torch.argmin(w.abs().mean(dim=1)))
    assert torch.count_nonzero(state["classifier.weight"][weak]) == 0
    assert state["classifier.bias"][weak] == 0
    assert torch.equal(state["classifier.weight"][1 - weak], w[1 - weak])


def test_unknown_blocks_and_bad_ranges_are_errors(models):
    m1, _ = models
    with pytest.raises(EditError, match="'c9' is not a block"):
        prune_model(m1, {"c9": (0, 1)})
    with pytest.raises(EditError, match="low <= high"):
        prune_model(m1, {"c1": (0.8, 0.2)})


def test_mobilenet_convs_pair_with_their_batchnorms(mobilenet):
    pairs = {name: bn for name, _, bn in prunable(mobilenet.net)}
    assert pairs["features.0.0"] == "features.0.1"
    assert pairs["features.3.conv.1.0"] == "features.3.conv.1.1"   # depthwise
    assert pairs["features.3.conv.2"] == "features.3.conv.3"       # projection
    assert pairs["classifier.1"] is None
    before = snapshot(mobilenet)
    x = torch.rand(1, 3, 64, 64)
    pruned = edited_classifier(mobilenet, prune_model(mobilenet, {"block3": (0.2, 0.8)}))
    assert not torch.equal(pruned(x), mobilenet(x))
    assert same(snapshot(mobilenet), before)
