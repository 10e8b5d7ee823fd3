import sys

import numpy as np
import pytest
import torch
from torch import nn

from nets.classifier import Classifier, Layer
from nets.featvis import FeatureVisJob, Target, lucent_compat, visualise
from nets.taps import hook_count

from .conftest import colour_net

FAST = dict(size=16, input_size=None)  # no upsampling to 224: milliseconds per step


def mean_rgb(image):
    return image.reshape(-1, 3).mean(axis=0)


@pytest.mark.parametrize("naive", [False, True])
def test_channel_objective_increases(colour_model, naive):
    job = FeatureVisJob(colour_model, "opponent:0", steps=40, naive=naive, **FAST)
    start = job.evaluate()
    job.step(40)
    assert job.finished and job.progress == 1.0 and len(job.values) == 40
    assert job.evaluate() > start + 0.3
    assert np.mean(job.values[-5:]) > np.mean(job.values[:5])


def test_red_minus_blue_channel_paints_the_image_red(colour_model):
    image = visualise(colour_model, "opponent:0", steps=60, naive=True, transforms=False, **FAST)
    r, _, b = mean_rgb(image)
    assert r > 0.8 and b < 0.2


@pytest.mark.parametrize("naive, margin", [(True, 0.5), (False, 0.1)])  # fft moves colour slower
def test_logit_objective_paints_the_image_blue(colour_model, naive, margin):
    image = visualise(colour_model, "logit:2", steps=60, naive=naive, **FAST)  # logit 2 ~ blue - green
    _, g, b = mean_rgb(image)
    assert b - g > margin


@pytest.mark.parametrize("naive", [False, True])
def test_both_parameterisations_give_rgb_in_unit_range(colour_model, naive):
    image = visualise(colour_model, "opponent:1", size=24, steps=5, naive=naive)  # 224 upsampling, transforms
    assert image.shape == (24, 24, 3) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0


def test_the_model_sees_images_in_unit_range_not_normalised(colour_model):
    """Our Classifier normalises itself: lucent's ImageNet normalisation must not be added."""
    seen = []

    class Recording(Classifier):
        def forward(self, images):
            seen.append((images.min().item(), images.max().item()))
            return super().forward(images)

    model = Recording("rec", colour_net(), (0.5,) * 3, (0.25,) * 3, (Layer("opponent", "relu", 3, 224),))
    visualise(model, "logit:0", size=32, steps=10)
    assert len(seen) == 10 and all(0.0 <= lo and hi <= 1.0 for lo, hi in seen)


def test_seed_reproducible_however_the_steps_are_spread(colour_model):
    a = FeatureVisJob(colour_model, "opponent:2", size=32, steps=12, seed=3)
    a.step(12)
    b = FeatureVisJob(colour_model, "opponent:2", size=32, steps=12, seed=3)
    for _ in range(6):
        b.step(2)
        torch.rand(5), np.random.rand(5)  # the app drawing random numbers between frames
    assert np.array_equal(a.image(), b.image())
    c = visualise(colour_model, "opponent:2", size=32, steps=12, seed=4)
    assert not np.array_equal(a.image(), c)


def test_global_random_state_untouched(colour_model):
    torch.manual_seed(123), np.random.seed(123)
    expected = torch.rand(3), np.random.rand(3)
    torch.manual_seed(123), np.random.seed(123)
    visualise(colour_model, "opponent:0", size=32, steps=5, seed=9)
    assert torch.equal(torch.rand(3), expected[0]) and np.array_equal(np.random.rand(3), expected[1])


def test_no_hooks_left_between_steps_and_after_runs(colour_model):
    before = hook_count(colour_model)
    job = FeatureVisJob(colour_model, "opponent:0", steps=6, **FAST)
    for _ in range(3):
        job.step(2)
        assert hook_count(colour_model) == before  # the app may run inference in between
    for objective in ["opponent:1", "logit:0", "opponent:2"]:
        visualise(colour_model, objective, steps=3, **FAST)
    assert hook_count(colour_model) == before


class Boom(nn.Module):
    armed = False

    def forward(self, x):
        if self.armed:
            raise RuntimeError("boom")
        return x


def test_no_hooks_left_after_a_step_raises(colour_model):
    boom = Boom()
    model = Classifier("boomy", nn.Sequential(colour_model.net.conv, boom, colour_model.net.relu),
                       (0.5,) * 3, (0.25,) * 3, (Layer("opponent", "2", 3, 224),))
    before = hook_count(model)
    lu = lucent_compat.lucent()
    devices = (lu.transform.device, lu.spatial.device)
    job = FeatureVisJob(model, "opponent:0", steps=10, **FAST)
    job.step(2)
    boom.armed = True
    for _ in range(3):
        with pytest.raises(RuntimeError, match="boom"):
            job.step(1)
        assert hook_count(model) == before
    assert (lu.transform.device, lu.spatial.device) == devices


def test_model_parameters_grads_and_mode_untouched():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
    net.train()
    state = {k: v.clone() for k, v in net.state_dict().items()}
    visualise(net, "2:1", steps=4, **FAST)  # a plain module: module paths as layer names
    assert net.training and net[1].training
    assert all(p.grad is None for p in net.parameters())
    assert all(torch.equal(v, state[k]) for k, v in net.state_dict().items())  # BN stats too


def test_works_inside_inference_mode(colour_model):
    with torch.inference_mode():
        image = visualise(colour_model, "opponent:0", steps=3, **FAST)
    assert image.shape == (16, 16, 3)


def test_on_step_sees_every_step(colour_model):
    seen = []
    visualise(colour_model, "logit:1", steps=7, on_step=lambda job: seen.append(job.done), **FAST)
    assert seen == list(range(1, 8))


def test_step_past_the_end_is_harmless(colour_model):
    job = FeatureVisJob(colour_model, "opponent:0", steps=3, **FAST)
    assert job.step(100) == 1.0 and job.done == 3
    assert job.step(5) == 1.0 and job.done == 3 and len(job.values) == 3


@pytest.mark.parametrize("spec, error", [("nope:1", KeyError), ("opponent:3", ValueError),
                                         ("opponent", ValueError), ("opponent:x", ValueError)])
def test_bad_objectives_fail_early(colour_model, spec, error):
    with pytest.raises(error):
        FeatureVisJob(colour_model, spec)


def test_target_parsing():
    assert Target.parse("block13:42") == Target("block13", 42)
    assert Target.parse(" logit:281 ").is_logit
    assert Target.parse("net.features.4:7").spec == "net.features.4:7"


def test_settings_and_cache_key(colour_model):
    job = FeatureVisJob(colour_model, "logit:2", size=16, steps=3, naive=True, seed=5)
    key = job.cache_key("colour@test")
    assert (key.model, key.layer, key.channel, key.naive, key.size, key.steps, key.seed) == \
        ("colour@test", "logit", 2, True, 16, 3, 5)
    assert job.settings()["parameterisation"] == "pixel"


def test_lucent_device_globals_follow_the_model_while_stepping(colour_model, monkeypatch):
    lu = lucent_compat.lucent()
    wrong = torch.device("meta")  # stands for lucent's "cuda:0" on a GPU machine with a CPU model
    monkeypatch.setattr(lu.transform, "device", wrong)
    monkeypatch.setattr(lu.spatial, "device", wrong)
    image = visualise(colour_model, "opponent:0", size=16, steps=3)  # jitter moves to transform.device
    assert np.isfinite(image).all()
    assert lu.transform.device == wrong and lu.spatial.device == wrong  # put back afterwards


def test_silent_and_without_lucents_renderer(colour_model, capfd):
    visualise(colour_model, "logit:0", steps=3, **FAST)
    assert capfd.readouterr() == ("", "")
    assert "lucent.optvis.render" not in sys.modules  # no tqdm, IPython, image viewer


def test_reproducible_on_a_worker_thread_while_others_draw_random_numbers(colour_model):
    import threading

    expected = visualise(colour_model, "opponent:1", size=32, steps=15, seed=2)
    got, stop = {}, threading.Event()

    def worker():
        got["image"] = visualise(colour_model, "opponent:1", size=32, steps=15, seed=2)
        stop.set()

    thread = threading.Thread(target=worker)
    thread.start()
    while not stop.is_set():
        np.random.rand(100), torch.rand(100)  # the main thread keeps drawing meanwhile
    thread.join()
    assert np.array_equal(got["image"], expected)
