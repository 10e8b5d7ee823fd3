"""Mixing: W = W1 (1 - a) + W2 a per block, exact at a = 0, 1 and 0.5; inputs untouched."""
import pytest
import torch
from torch import nn

from nets.classifier import Classifier
from nets.editing import (CLASSIFIER, EditError, block_keys, edited_classifier, mix_models,
                          mix_state_dicts)

from .conftest import make_tiny, same, snapshot

ALL = ("c1", "c2", CLASSIFIER)


def test_alpha_0_is_model1_and_alpha_1_is_model2_exactly(models, images):
    m1, m2 = models
    for alpha, model in ((0.0, m1), (1.0, m2)):
        state = mix_models(m1, m2, dict.fromkeys(ALL, alpha))
        edited = state
        expected = model.net.state_dict()
        for k in expected:
            if expected[k].is_floating_point():
                assert torch.equal(edited[k], expected[k]), k
        assert edited["features.0.1.num_batches_tracked"] == 7  # integers: always Model 1's
        out = edited_classifier(m1, state)(images)
        assert torch.equal(out, model(images))
    assert same(mix_models(m1, m2, {}), m1.net.state_dict())  # nothing mixed: Model 1


def test_alpha_half_is_the_average_including_running_stats(models):
    m1, m2 = models
    sd1, sd2 = m1.net.state_dict(), m2.net.state_dict()
    state = mix_models(m1, m2, dict.fromkeys(ALL, 0.5))
    for k in sd1:
        if sd1[k].is_floating_point():
            assert torch.equal(state[k], (sd1[k] + sd2[k]) / 2), k
    assert "features.1.1.running_var" in state and not torch.equal(
        state["features.1.1.running_var"], sd1["features.1.1.running_var"])
    assert torch.equal(state["features.1.1.num_batches_tracked"], torch.tensor(7))


def test_each_block_has_its_own_alpha(models):
    m1, m2 = models
    sd1, sd2 = m1.net.state_dict(), m2.net.state_dict()
    state = mix_models(m1, m2, {"c2": 1.0, CLASSIFIER: 0.25})
    groups = block_keys(m1)
    for k in groups["c1"]:
        assert torch.equal(state[k], sd1[k])
    for k in groups["c2"]:
        if sd2[k].is_floating_point():
            assert torch.equal(state[k], sd2[k])
    w = sd1["classifier.weight"] * 0.75 + sd2["classifier.weight"] * 0.25
    assert torch.allclose(state["classifier.weight"], w, rtol=0, atol=1e-7)


def test_the_models_are_never_changed_and_nothing_is_shared(models, images):
    m1, m2 = models
    before1, before2 = snapshot(m1), snapshot(m2)
    logits1 = m1(images)
    for alphas in ({}, dict.fromkeys(ALL, 0.0), dict.fromkeys(ALL, 1.0), {"c1": 0.3}):
        edited = edited_classifier(m1, mix_models(m1, m2, alphas))
        with torch.no_grad():
            for t in edited.net.state_dict().values():
                t.add_(1) if t.is_floating_point() else None  # scribble on the edit
    assert same(snapshot(m1), before1) and same(snapshot(m2), before2)
    assert torch.equal(m1(images), logits1)
    ptrs = {t.data_ptr() for m in (m1, m2) for t in m.net.state_dict().values()}
    edited = edited_classifier(m1, mix_models(m1, m2, dict.fromkeys(ALL, 1.0)))
    assert not ptrs & {t.data_ptr() for t in edited.net.state_dict().values()}


def test_the_edited_model_is_a_frozen_eval_classifier_like_model1(models):
    m1, m2 = models
    edited = edited_classifier(m1, mix_models(m1, m2, {"c1": 0.5}), name="edited")
    assert isinstance(edited, Classifier) and edited.name == "edited"
    assert edited.layers == m1.layers and torch.equal(edited.mean, m1.mean)
    assert not edited.training and not any(p.requires_grad for p in edited.parameters())
    assert edited.net is not m1.net


def test_into_reuses_a_network_of_the_same_architecture(models, images):
    m1, m2 = models
    target = edited_classifier(m1, mix_models(m1, m2, {}))
    again = edited_classifier(m1, mix_models(m1, m2, dict.fromkeys(ALL, 1.0)), into=target)
    assert again is target and torch.equal(target(images), m2(images))


def test_different_architectures_cannot_be_mixed(models):
    m1, _ = models
    wide = make_tiny(3)
    wide.net.classifier = nn.Linear(3, 7)
    with pytest.raises(EditError, match=r"same architecture: classifier.weight is \(2, 3\)"):
        mix_models(m1, wide, {"c1": 0.5})
    other = Classifier("other", nn.Sequential(nn.Conv2d(3, 4, 3)), (0, 0, 0), (1, 1, 1), ())
    with pytest.raises(EditError, match="same architecture: 16 tensors only in Model 1.*2 only in Model 2"):
        mix_models(m1, other, {})
    with pytest.raises(EditError, match="same architecture"):
        mix_state_dicts({"w": torch.zeros(2)}, {"w": torch.zeros(2, dtype=torch.float64)}, {})


def test_unknown_blocks_and_bad_alphas_are_errors(models):
    m1, m2 = models
    with pytest.raises(EditError, match="'c3' is not a block"):
        mix_models(m1, m2, {"c3": 0.5})
    with pytest.raises(EditError, match="outside"):
        mix_models(m1, m2, {"c1": 1.5})


def test_mobilenet_mixed_with_a_perturbed_copy(mobilenet):
    torch.manual_seed(0)
    noisy_state = {k: v * (1 + 0.05 * torch.randn_like(v)).abs() if v.is_floating_point() else v.clone()
                   for k, v in mobilenet.net.state_dict().items()}
    noisy = edited_classifier(mobilenet, noisy_state, name="noisy")
    before = snapshot(mobilenet)
    x = torch.rand(1, 3, 64, 64)
    names = list(block_keys(mobilenet))
    out = edited_classifier(mobilenet, mix_models(mobilenet, noisy, dict.fromkeys(names, 1.0)))(x)
    assert torch.isfinite(out).all() and torch.equal(out, noisy(x))
    half = edited_classifier(mobilenet, mix_models(mobilenet, noisy, {"block3": 0.5}))(x)
    assert not torch.equal(half, mobilenet(x))
    assert same(snapshot(mobilenet), before)


def test_edit_dispatches_on_the_mode(models, images):
    from nets.editing import EditSettings, edit

    m1, m2 = models
    settings = EditSettings({"c1": 1.0, "c2": 1.0, CLASSIFIER: 1.0}, {"c2": (0.5, 0.5)})
    assert torch.equal(edit("mix", m1, m2, settings)(images), m2(images))
    pruned = edit("prune", m1, None, settings)
    assert torch.equal(pruned(images), m1.net.classifier.bias.expand(2, 2))
    with pytest.raises(EditError, match="needs Model 2"):
        edit("mix", m1, None, settings)
    with pytest.raises(EditError, match="choose one of"):
        edit("blend", m1, m2, settings)


def test_a_network_that_cannot_be_pickled_is_deep_copied(models, images):
    m1, m2 = models
    m1.net.unpicklable = lambda: None  # a lambda attribute: pickle refuses it
    edited = edited_classifier(m1, mix_models(m1, m2, dict.fromkeys(ALL, 1.0)))
    assert torch.equal(edited(images), m2(images)) and edited.net is not m1.net
    assert callable(edited.net.unpicklable)
