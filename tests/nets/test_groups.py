from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn

from nets.classifier import Classifier, Layer
from nets.groups import CLASS_SETS, class_groups, most_active, relevance, relevances, top_channels
from nets.labels import label
from nets.taps import hook_count

# logit k = W[k] . (mean over space of each channel) + bias; channels = R, G, B, R+G+B
W = torch.tensor([[0., 0., 3., 0.],    # logit 0 depends only on channel 2 (blue)
                  [2., 1., 0., 0.],    # logit 1 on channels 0 and 1
                  [0., 0., 0., -1.]])  # logit 2 on channel 3, negatively
CHANNEL_OF_RGB = torch.tensor([[1., 0., 0.], [0., 1., 0.], [0., 0., 1.], [1., 1., 1.]])


def linear_model() -> Classifier:
    conv = nn.Conv2d(3, 4, 1, bias=False)
    fc = nn.Linear(4, 3)
    with torch.no_grad():
        conv.weight.copy_(CHANNEL_OF_RGB.view(4, 3, 1, 1))
        fc.weight.copy_(W)
        fc.bias.copy_(torch.tensor([0.5, -1.0, 2.0]))
    net = nn.Sequential(OrderedDict(conv=conv, relu=nn.ReLU(), pool=nn.AdaptiveAvgPool2d(1),
                                    flat=nn.Flatten(), fc=fc))
    # mean 0, std 1: the network sees the images as they are, so expected values are exact
    return Classifier("linear", net, (0.,) * 3, (1.,) * 3,
                      (Layer("colours", "relu", 4, 224), Layer("rgb", "conv", 4, 224)))


@pytest.fixture
def model():
    return linear_model()


@pytest.fixture
def images():
    return torch.rand(6, 3, 5, 7, generator=torch.Generator().manual_seed(0))


def channel_means(images):
    """(B, 4): the spatial mean of each channel for each image."""
    rgb = images.mean(dim=(2, 3))
    return rgb @ CHANNEL_OF_RGB.T


def test_single_class_is_weight_times_mean_activation(model, images):
    # d logit_k / d a_c(h, w) = W[k, c] / (H W), so relevance_c = W[k, c] * mean_b mean_hw a_c
    for k in range(3):
        expected = W[k] * channel_means(images).mean(dim=0)
        assert torch.allclose(relevance(model, "colours", images, [k]), expected, atol=1e-5)


def test_a_logit_that_depends_on_one_channel_ranks_it_first(model, images):
    scores = relevance(model, "colours", images, [0])
    assert top_channels(scores, 1) == [2]
    assert torch.count_nonzero(scores) == 1


def test_class_set_uses_log_sum_exp_weights(model, images):
    logits = model(images)
    share = logits[:, [0, 1]].softmax(dim=1)  # d logsumexp / d logit_k
    per_image = share[:, :1] * W[0] * channel_means(images) + share[:, 1:] * W[1] * channel_means(images)
    got = relevance(model, "colours", images, [0, 1])
    assert torch.allclose(got, per_image.mean(dim=0), atol=1e-5)


def test_batches_do_not_change_the_result(model, images):
    whole = relevance(model, "colours", images, [1, 2], batch_size=64)
    split = relevance(model, "colours", images, [1, 2], batch_size=4)
    assert torch.allclose(whole, split, atol=1e-6)


def test_several_layers_in_one_pass(model, images):
    both = relevances(model, ["colours", "rgb"], images, [1])
    assert set(both) == {"colours", "rgb"}
    assert torch.allclose(both["colours"], both["rgb"], atol=1e-5)  # ReLU passes images in [0, 1]


def test_hooks_removed_model_untouched_and_works_in_inference_mode(model, images):
    before = hook_count(model)
    with torch.inference_mode():
        relevance(model, "colours", images, [0])
    assert hook_count(model) == before
    assert all(p.grad is None and not p.requires_grad for p in model.parameters())
    assert not model.training


def test_hooks_removed_after_an_error(model, images):
    before = hook_count(model)
    for _ in range(3):
        with pytest.raises(IndexError):
            relevance(model, "colours", images, [7])  # the model has 3 classes
    assert hook_count(model) == before


def test_bad_arguments(model, images):
    with pytest.raises(ValueError):
        relevance(model, "colours", images, [])
    with pytest.raises(KeyError):
        relevance(model, "no_such_layer", images, [0])


def test_top_channels_order_ties_and_k():
    assert top_channels(torch.tensor([0.1, 3.0, -2.0, 3.0]), 3) == [1, 3, 0]
    assert top_channels([5, 1], 10) == [0, 1]
    assert top_channels(np.array([1.0, 2.0]), 0) == []


def test_most_active_by_mean_activation():
    acts = np.zeros((4, 2, 2), dtype=np.float32)
    acts[1] = 1.0
    acts[3, 0, 0] = 10.0   # mean 2.5
    acts[2] = -1.0
    assert most_active(acts, 2) == [3, 1]
    assert most_active(torch.from_numpy(acts), 4) == [3, 1, 0, 2]
    with pytest.raises(ValueError):
        most_active(acts[0], 2)


def test_class_groups_per_layer_and_group(model):
    blue = torch.zeros(3, 3, 4, 4)
    blue[:, 2] = 1.0
    red = torch.zeros(2, 3, 4, 4)
    red[:, 0] = 1.0
    groups = class_groups(model, ["colours", "rgb"], {"blue": blue, "red": red},
                          {"blue": [0], "red": [1], "unused": [2]}, k=2)
    # blue images scored with logit 0: only channel 2 (W=3) is relevant, then ties (index order)
    assert groups["colours"]["blue"] == [2, 0]
    # red images with logit 1: channel 0 (R, W=2); the rest score 0, so index order
    assert groups["colours"]["red"] == [0, 1]
    assert groups["rgb"] == groups["colours"]
    with pytest.raises(KeyError, match="green"):
        class_groups(model, ["colours"], {"green": blue}, {"blue": [0]})


def test_class_sets_are_the_imagenet_classes_they_say():
    assert len(CLASS_SETS["dog"]) == 118
    assert (label(CLASS_SETS["dog"][0]), label(CLASS_SETS["dog"][-1])) == ("Chihuahua", "Mexican hairless")
    assert [label(i) for i in CLASS_SETS["cat"]] == ["tabby", "tiger cat", "Persian cat", "Siamese cat",
                                                      "Egyptian cat"]
    assert [label(i) for i in CLASS_SETS["fire_truck"]] == ["fire engine"]
    assert [label(i) for i in CLASS_SETS["race_car"]] == ["racer", "sports car"]


def test_mobilenet_last_layer_relevance_adds_up_to_the_logit(mobilenet):
    """After conv_last come average pooling and a linear layer, so for one class the
    channel relevances sum exactly to the logit minus its bias."""
    images = torch.rand(2, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    scores = relevance(mobilenet, "conv_last", images, [281])
    assert scores.shape == (1280,)
    with torch.inference_mode():
        logits = mobilenet(images)[:, 281].mean()
    bias = mobilenet.net.classifier[1].bias[281]
    assert torch.allclose(scores.sum(), logits - bias, atol=1e-3)
