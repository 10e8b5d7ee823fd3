"""The generators themselves (no cache): shared topology, determinism, speed."""
import time

import numpy as np
import pytest

from models3d import backgrounds, quadruped, vehicle


@pytest.fixture(scope="module", params=["quadruped", "vehicle"])
def built_twice(request):
    mod = {"quadruped": quadruped, "vehicle": vehicle}[request.param]
    t0 = time.perf_counter()
    a = mod.build()
    elapsed = time.perf_counter() - t0
    return a, mod.build(), elapsed


def test_deterministic(built_twice):
    a, b, _ = built_twice
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_shared_topology(built_twice):
    d, _, _ = built_twice
    assert d["positions_a"].shape == d["positions_b"].shape
    assert d["normals_a"].shape == d["normals_b"].shape == d["positions_a"].shape
    assert d["uvs"].shape == (len(d["positions_a"]), 2)
    # the two shapes really differ (it is a morph), the topology is one index buffer
    assert np.abs(d["positions_a"] - d["positions_b"]).max() > 0.05
    assert d["indices"].ndim == 2 and d["indices"].shape[1] == 3


def test_no_degenerate_uv_islands(built_twice):
    d, _, _ = built_twice
    assert np.isfinite(d["uvs"]).all()
    assert len(np.unique(np.round(d["uvs"], 4), axis=0)) > len(d["uvs"]) * 0.5


def test_fast_enough(built_twice):
    assert built_twice[2] < 20.0  # a few seconds on a 2-core machine; generous for CI noise


def test_backgrounds_deterministic():
    np.testing.assert_array_equal(backgrounds.street(64), backgrounds.street(64))
    np.testing.assert_array_equal(backgrounds.lawn(64), backgrounds.lawn(64))
