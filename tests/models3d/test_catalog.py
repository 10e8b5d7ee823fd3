"""The built-in morph pairs and backgrounds (models3d.catalog): contract and determinism."""
import numpy as np
import pytest

from models3d import catalog
from models3d.mesh import AssetError, MorphPair


def _pow2(n):
    return n > 0 and n & (n - 1) == 0


@pytest.fixture(scope="module", params=catalog.OBJECT_NAMES)
def pair(request):
    return catalog.load_pair(request.param)


def test_pair_contract(pair):
    assert isinstance(pair, MorphPair)
    n = len(pair.positions_a)
    assert pair.positions_b.shape == (n, 3) and pair.uvs.shape == (n, 2)
    assert pair.indices.dtype == np.uint32 and pair.indices.max() < n
    for a in (pair.positions_a, pair.positions_b, pair.normals_a, pair.normals_b, pair.uvs):
        assert a.dtype == np.float32
    assert pair.uvs.min() >= 0 and pair.uvs.max() <= 1
    assert len(pair.labels) == 2 and pair.morph_label
    assert pair.background in catalog.BACKGROUND_NAMES
    assert set(pair.camera) == {"yaw", "pitch", "distance"}
    assert 0.5 <= pair.camera["distance"] <= 12


def test_morph_endpoints_reproduce_each_shape(pair):
    np.testing.assert_allclose(pair.blended_positions(0.0), pair.positions_a, atol=1e-6)
    np.testing.assert_allclose(pair.blended_positions(1.0), pair.positions_b, atol=1e-6)
    mid = pair.blended_positions(0.5)
    np.testing.assert_allclose(mid, (pair.positions_a + pair.positions_b) / 2, atol=1e-5)


def test_normals_unit_and_outward(pair):
    for nrm, pos in ((pair.normals_a, pair.positions_a), (pair.normals_b, pair.positions_b)):
        np.testing.assert_allclose(np.linalg.norm(nrm, axis=1), 1.0, atol=1e-4)
        # triangle winding agrees with the vertex normals (counter-clockwise = outside)
        t = pair.indices
        fn = np.cross(pos[t[:, 1]] - pos[t[:, 0]], pos[t[:, 2]] - pos[t[:, 0]])
        big = np.linalg.norm(fn, axis=1) > 1e-9
        agree = np.einsum("ij,ij->i", fn[big], nrm[t[big, 0]]) > 0
        assert agree.mean() > 0.95


def test_centred_bounding_box(pair):
    for pos in (pair.positions_a, pair.positions_b):
        np.testing.assert_allclose((pos.min(0) + pos.max(0)) / 2, 0, atol=1e-4)
        assert 0.3 < np.ptp(pos, axis=0).max() < 3.0


def test_textures(pair):
    assert pair.texture_a.shape == pair.texture_b.shape
    h, w, c = pair.texture_a.shape
    assert h == w and _pow2(h) and c == 3
    assert pair.texture_a.dtype == np.uint8 and pair.texture_b.dtype == np.uint8
    assert not np.array_equal(pair.texture_a, pair.texture_b)


@pytest.mark.parametrize("name", catalog.BACKGROUND_NAMES)
def test_backgrounds(name):
    img = catalog.load_background(name)
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
    assert img.shape[0] == img.shape[1] and _pow2(img.shape[0])
    assert img.std() > 10  # not a flat colour


def test_unknown_names_raise():
    with pytest.raises(AssetError, match="dog_cat"):
        catalog.load_pair("unicorn")
    with pytest.raises(AssetError, match="lawn"):
        catalog.load_background("moon")


def test_pair_meta():
    dc, tc = catalog.load_pair("dog_cat"), catalog.load_pair("truck_car")
    assert dc.labels == ("dog", "cat") and dc.morph_label == "Catness" and dc.background == "lawn"
    assert tc.labels == ("fire truck", "race car") and tc.morph_label == "Race Car-ness"
    assert tc.background == "street"
