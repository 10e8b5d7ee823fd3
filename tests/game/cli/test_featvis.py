"""`perturber featvis`: one channel or class into the cache (and a file), or a layer's groups."""
import json

import numpy as np
import pytest
from PIL import Image

from game.cli.main import main
from nets import registry
from nets.featvis import CacheKey, FeatureVisCache
from nets.threads import torch_threads

from tests.game.cli.test_main import perturber

TINY = ["--steps", "4", "--size", "32"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """$PERTURBER_CACHE for the command (and the app) in a temporary folder; the torch
    thread count an in-process command sets is put back."""
    root = tmp_path / "cache"
    monkeypatch.setenv("PERTURBER_CACHE", str(root))
    with torch_threads(0):
        yield root


def weights_key(name="mobilenet_v2"):
    return f"{name}@{registry.get(name).weights_id(0)}"


def test_one_channel_goes_to_the_cache_and_the_file(cache_dir, tmp_path):
    out_png = tmp_path / "fv" / "block13_42.png"
    out = perturber("featvis", "--model", "mobilenet_v2", "--layer", "block13", "--channel", "42",
                    *TINY, "--out", str(out_png))
    assert out.returncode == 0, out.stderr
    key = CacheKey(weights_key(), "block13", 42, False, 32, 4)
    cache = FeatureVisCache(cache_dir / "featvis")
    cached = cache.get(key)  # the key the app looks up for these settings
    assert cached is not None and cached.shape == (32, 32, 3)
    assert str(cache.path(key)) in out.stdout and str(out_png) in out.stdout
    assert " s" in out.stdout.splitlines()[0]  # the time it took
    assert np.array_equal(np.asarray(Image.open(out_png)), np.asarray(Image.open(cache.path(key))))
    assert cache.info(key)["seconds"] > 0 and cache.info(key)["steps"] == 4


def test_a_class_visualisation_naive_then_cached(cache_dir, capsys):
    args = ["featvis", "--model", "mobilenet_v2", "--class", "281", "--naive",
            "--steps", "2", "--size", "16"]
    assert main(args) == 0  # in-process: the subprocess tests above show the real thing
    key = CacheKey(weights_key(), "logit", 281, True, 16, 2)
    assert FeatureVisCache(cache_dir / "featvis").get(key).shape == (16, 16, 3)
    out = capsys.readouterr().out
    assert "logit:281" in out and "naive" in out
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("cached:")


def test_groups_fill_the_cache_and_resume(cache_dir):
    groups = {"block13": {"dog": [5, 6], "cat": [6, 7], "fire_truck": [8, 9], "race_car": [5, 1]},
              "block12": {"dog": [1, 2]}}
    path = cache_dir / "neuron-groups" / f"{weights_key()}.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(groups))
    cache = FeatureVisCache(cache_dir / "featvis")
    cache.put(CacheKey(weights_key(), "block13", 8, False, 16, 2), np.zeros((16, 16, 3)))
    args = ("featvis", "--model", "mobilenet_v2", "--groups", "--layers", "block13", "--top", "1",
            "--steps", "2", "--size", "16")
    out = perturber(*args)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "3 channels" in lines[0] and "1 cached, 2 to make" in lines[0]
    assert lines[1].startswith("[1/3] block13:5 (dog, race_car):")
    assert lines[2] == "[2/3] block13:6 (cat): " + lines[2].split(": ", 1)[1]
    assert lines[3] == "[3/3] block13:8 (fire_truck): cached"
    assert "made 2, skipped 1" in lines[-1]
    for channel in (5, 6, 8):
        assert cache.get(CacheKey(weights_key(), "block13", channel, False, 16, 2)) is not None
    again = perturber(*args)  # resumable: everything is there now
    assert again.returncode == 0 and "3 cached, 0 to make" in again.stdout
    assert "made 0, skipped 3" in again.stdout


def test_missing_groups_are_computed_and_cached(cache_dir, monkeypatch, capsys):
    from game.cli import featvis as cli_featvis
    from game.tools.featvis import groups as ng

    calls = []
    monkeypatch.setattr(ng, "images_path", lambda: cache_dir / "renders.npz")
    monkeypatch.setattr(ng, "render_group_images", lambda: calls.append("render"))
    monkeypatch.setattr(ng, "load_group_images", lambda: {"dog": "renders"})
    monkeypatch.setattr(ng, "compute_groups",
                        lambda model, images: calls.append(images) or {"block13": {"dog": [3]}})
    assert cli_featvis.neuron_groups("tiny-model", "tiny@1") == {"block13": {"dog": [3]}}
    assert calls == ["render", {"dog": "renders"}]
    assert json.loads((cache_dir / "neuron-groups" / "tiny@1.json").read_text())["block13"]
    assert cli_featvis.neuron_groups("tiny-model", "tiny@1") == {"block13": {"dog": [3]}}
    assert len(calls) == 2  # the second time from the cache
    assert "computing the neuron groups of tiny@1" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    ([], "exactly one of"),
    (["--layer", "block13"], "--layer and --channel go together"),
    (["--layer", "mixed4a", "--channel", "1"], "--layer 'mixed4a': mobilenet_v2 has no such layer"),
    (["--layer", "block13", "--channel", "96"], "--channel 96: block13 has 96 channels (0..95)"),
    (["--class", "1000"], "--class 1000: mobilenet_v2 has classes 0..999"),
    (["--groups", "--layers", "block13,nope"], "has no layer nope"),
    (["--groups", "--top", "9"], "--top 9: choose 1..8"),
    (["--class", "3", "--steps", "0"], "--steps 0"),
    (["--class", "3", "--out", "x.jpg"], "give a .png file"),
    (["--class", "3", "--model", "no_such_net"], "unknown model 'no_such_net'"),
    (["--class", "3", "--model", "mobilenet_v2,efficientnet_lite0"], "give one model"),
])
def test_bad_input_is_a_clear_error_with_status_2(args, message, cache_dir, capsys):
    assert main(["featvis", "--model", "mobilenet_v2", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_unwritable_cache_still_delivers_the_picture_to_out(tmp_path):
    (tmp_path / "file").write_text("x")  # a cache folder that cannot be made
    out_png = tmp_path / "fv.png"
    out = perturber("featvis", "--model", "mobilenet_v2", "--layer", "block13", "--channel", "1",
                    *TINY, "--cache", str(tmp_path / "file" / "cache"), "--out", str(out_png))
    assert out.returncode == 0, out.stderr
    assert "could not cache" in out.stderr and np.asarray(Image.open(out_png)).shape == (32, 32, 3)


def test_an_unwritable_cache_without_out_is_refused_before_any_work(tmp_path, capsys):
    from game.cli.main import main

    (tmp_path / "file").write_text("x")
    status = main(["featvis", "--model", "mobilenet_v2", "--layer", "block13", "--channel", "1",
                   *TINY, "--cache", str(tmp_path / "file" / "cache")])
    assert status == 2 and "cannot be written" in capsys.readouterr().err
