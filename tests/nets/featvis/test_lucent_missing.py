import sys

import numpy as np
import pytest

from nets.featvis import CacheKey, FeatureVisCache, FeatureVisJob, FeatureVisUnavailable, available, lucent_compat


@pytest.fixture
def no_lucent(monkeypatch):
    for name in [n for n in sys.modules if n == "lucent" or n.startswith("lucent.")] or ["lucent"]:
        monkeypatch.setitem(sys.modules, name, None)  # None makes "import lucent..." raise ImportError
    monkeypatch.setattr(lucent_compat, "_lucent", None)


def test_missing_lucent_gives_a_clear_message(no_lucent, colour_model):
    assert not available()
    with pytest.raises(FeatureVisUnavailable, match="pip install --no-deps torch-lucent==0.1.8"):
        FeatureVisJob(colour_model, "opponent:0")
    with pytest.raises(ImportError):  # it is an ImportError, for callers that catch those
        FeatureVisJob(colour_model, "logit:0")


def test_cache_works_without_lucent(no_lucent, tmp_path):
    cache = FeatureVisCache(tmp_path)
    key = CacheKey("m", "logit", 1, False, 8, 1)
    cache.put(key, np.zeros((8, 8, 3)))
    assert cache.get(key) is not None


def test_lucent_is_available_here():
    assert available()
    import kornia
    assert callable(kornia.get_rotation_matrix2d) and callable(kornia.warp_affine)
