"""Neuron groups for any model, from cached renders, computed off the main thread."""
import json

import numpy as np
import torch
from torch import nn

import game.tools.featvis.groups as neuron_groups
from game.app.slots import LoadedModel
from nets.classifier import Classifier, Layer


def model():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 6, 3, stride=4, padding=1), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 1000))
    return Classifier("tiny", net, (0.5,) * 3, (0.5,) * 3, (Layer("c", "1", 6, 56),))


def test_groups_are_computed_in_the_background_cached_and_reloaded(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))
    rng = np.random.default_rng(0)
    path = neuron_groups.images_path()
    path.parent.mkdir(parents=True)
    np.savez(path, **{g: rng.integers(0, 256, (2, 224, 224, 3), dtype=np.uint8)
                      for g in neuron_groups.GROUP_SCENES})
    loaded = LoadedModel("model1", "tiny", 0, model(), "Tiny", "tiny@abc")
    ready = []
    source = neuron_groups.GroupSource(on_ready=lambda: ready.append(1))
    assert source.lookup(loaded, "c") == {}      # not yet: computing in the background
    source.wait()
    groups = source.lookup(loaded, "c")
    assert ready == [1] and set(groups) == set(neuron_groups.GROUP_SCENES)
    assert all(len(ch) == 6 and sorted(ch) == list(range(6)) for ch in groups.values())
    cached = json.loads((neuron_groups.cache_dir() / "tiny@abc.json").read_text())
    assert cached["c"]["dog"] == list(groups["dog"])
    again = neuron_groups.GroupSource()          # a new session reads the cache at once
    assert again.lookup(loaded, "c") == groups and not again.threads


def test_a_failure_is_reported_not_raised(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))

    def render_fails():
        raise RuntimeError("no renderer here")

    monkeypatch.setattr(neuron_groups, "render_in_child", render_fails)
    monkeypatch.setattr(neuron_groups.group_images, "__defaults__", (render_fails,))
    errors = []
    source = neuron_groups.GroupSource(on_error=errors.append)
    loaded = LoadedModel("model1", "tiny", 0, model(), "Tiny", "tiny@x")
    source.lookup(loaded, "c")
    source.wait()
    assert errors and "neuron groups for Tiny" in errors[0] and "no renderer here" in errors[0]
    assert source.lookup(loaded, "c") == {}


def fake_render(path, calls):
    def render():
        calls.append("render")
        rng = np.random.default_rng(1)
        np.savez(path, **{g: rng.integers(0, 256, (2, 224, 224, 3), dtype=np.uint8)
                          for g in neuron_groups.GROUP_SCENES})
    return render


def test_unreadable_cached_renders_and_groups_are_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))
    path = neuron_groups.images_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npz")
    calls = []
    images = neuron_groups.group_images(fake_render(path, calls))
    assert calls == ["render"] and set(images) == set(neuron_groups.GROUP_SCENES)
    broken = neuron_groups.groups_path("tiny@y")
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text("{half")
    assert neuron_groups.read_cached_groups(broken) is None
    source = neuron_groups.GroupSource()
    loaded = LoadedModel("model1", "tiny", 0, model(), "Tiny", "tiny@y")
    source.lookup(loaded, "c")
    source.wait()
    assert set(source.lookup(loaded, "c")) == set(neuron_groups.GROUP_SCENES)
    assert json.loads(broken.read_text())["c"]  # rewritten whole


def test_a_read_only_cache_is_not_fatal(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    neuron_groups.save_groups(tmp_path / "file" / "g.json", {"c": {}})  # cannot write: logged
