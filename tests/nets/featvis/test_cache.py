import json
from dataclasses import replace

import numpy as np
import pytest

from nets.featvis import CacheKey, FeatureVisCache

KEY = CacheKey("mobilenet_v2@b0353104", "block13", 42, naive=False, size=128, steps=256, seed=0)


def image(seed=0, size=8):
    return np.random.default_rng(seed).random((size, size, 3)).astype(np.float32)


def test_round_trip(tmp_path):
    cache = FeatureVisCache(tmp_path)
    assert cache.get(KEY) is None
    img = image()
    path = cache.put(KEY, img, {"seconds": 1.5})
    assert path == cache.path(KEY) and path.is_file() and path.suffix == ".png"
    got = cache.get(KEY)
    assert got.shape == img.shape and got.dtype == np.float32
    assert np.abs(got - img).max() <= 0.5 / 255 + 1e-6  # 8-bit PNG
    info = cache.info(KEY)
    assert info["seconds"] == 1.5 and info["key"]["layer"] == "block13" and "created" in info


def test_uint8_round_trips_exactly(tmp_path):
    cache = FeatureVisCache(tmp_path)
    pixels = (image(1) * 255).astype(np.uint8)
    cache.put(KEY, pixels)
    assert np.array_equal(np.round(cache.get(KEY) * 255).astype(np.uint8), pixels)


@pytest.mark.parametrize("field, value", [("model", "mobilenet_v2@other"), ("layer", "block12"),
                                          ("channel", 43), ("naive", True), ("size", 64),
                                          ("steps", 512), ("seed", 1), ("layer", "logit")])
def test_every_field_is_part_of_the_key(tmp_path, field, value):
    cache = FeatureVisCache(tmp_path)
    other = replace(KEY, **{field: value})
    assert cache.path(other) != cache.path(KEY)
    cache.put(KEY, image())
    assert cache.get(other) is None


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path):
    cache = FeatureVisCache(tmp_path)
    for i in range(3):
        cache.put(KEY, image(i))  # overwrite in place
    files = sorted(p.name for p in cache.path(KEY).parent.iterdir())
    assert files == ["42-fft-128px-256steps-seed0.json", "42-fft-128px-256steps-seed0.png"]


def test_entry_without_its_sidecar_is_a_miss(tmp_path):
    cache = FeatureVisCache(tmp_path)
    cache.put(KEY, image())
    cache.path(KEY).with_suffix(".json").unlink()  # e.g. interrupted between the two writes
    assert cache.get(KEY) is None


def test_sidecar_of_another_key_is_a_miss(tmp_path):
    cache = FeatureVisCache(tmp_path)
    cache.put(KEY, image())
    sidecar = cache.path(KEY).with_suffix(".json")
    data = json.loads(sidecar.read_text())
    data["key"]["model"] = "someone/else"
    sidecar.write_text(json.dumps(data))
    assert cache.get(KEY) is None


def test_odd_names_stay_inside_the_root_and_do_not_collide(tmp_path):
    cache = FeatureVisCache(tmp_path)
    a, b = replace(KEY, model="../../etc/x"), replace(KEY, model=".._.._etc_x")
    for key in (a, b):
        assert tmp_path in cache.path(key).resolve().parents
    assert cache.path(a) != cache.path(b)
    cache.put(a, image(0))
    assert cache.get(b) is None and cache.get(a) is not None


def test_rejects_images_that_are_not_hw3(tmp_path):
    cache = FeatureVisCache(tmp_path)
    with pytest.raises(ValueError):
        cache.put(KEY, np.zeros((8, 8)))
    with pytest.raises(ValueError):
        cache.put(KEY, np.full((8, 8, 3), np.nan))


def test_default_root_is_cache_featvis_in_the_repo():
    from nets.featvis import DEFAULT_ROOT
    assert DEFAULT_ROOT.parts[-2:] == ("cache", "featvis")
    assert (DEFAULT_ROOT.parents[1] / "pyproject.toml").is_file()


def test_shipped_images_are_found_as_if_cached_and_never_written(tmp_path):
    shipped = FeatureVisCache(tmp_path / "shipped", shipped=None)
    shipped.put(KEY, image(2))
    cache = FeatureVisCache(tmp_path / "mine", shipped=tmp_path / "shipped")
    assert cache.path(KEY) == shipped.path(KEY) and cache.info(KEY) is not None
    assert np.array_equal(cache.get(KEY), shipped.get(KEY))
    own = cache.put(KEY, image(3))  # made again (--force): ours, and ours wins from now on
    assert own.is_relative_to(tmp_path / "mine") and cache.path(KEY) == own
    assert np.array_equal(cache.get(KEY), FeatureVisCache(tmp_path / "mine", shipped=None).get(KEY))
    assert np.array_equal(shipped.get(KEY), FeatureVisCache(tmp_path / "shipped").get(KEY))


def test_the_shipped_visualisations_are_what_their_sidecars_say():
    """Each shipped PNG (a class, or a channel of a tappable layer) has its key's sidecar,
    is 128 px, is small, and belongs to the weights a registry model has now (the app
    keys images by name@weights id). Which ones ship: tests/game/tools/featvis/test_shipped.py."""
    from nets import registry
    from nets.featvis.cache import SHIPPED

    pngs = sorted(SHIPPED.rglob("*.png"))
    assert pngs, "no shipped visualisations"
    assert {p.with_suffix(".png") for p in SHIPPED.rglob("*.json")} == set(pngs)
    assert not [p for p in SHIPPED.rglob("*") if p.is_file() and p.suffix not in (".png", ".json")]
    cache = FeatureVisCache(SHIPPED, shipped=None)
    for png in pngs:
        key = CacheKey(**json.loads(png.with_suffix(".json").read_text())["key"])
        name, weights = key.model.split("@")
        entry = registry.get(name)
        assert key.layer == "logit" or key.layer in {l.name for l in entry.layers}, key
        assert cache.path(key) == png
        assert cache.get(key).shape == (key.size, key.size, 3) and png.stat().st_size < 80_000
        assert entry.weights_id() == weights, key.model
