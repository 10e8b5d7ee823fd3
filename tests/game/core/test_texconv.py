"""numpy <-> texture: fresh textures, and new pixels for an existing one."""
import numpy as np
import pytest
from panda3d.core import SamplerState, Texture

from game.core.texconv import numpy_to_texture, texture_to_numpy


def image(h, w, c, seed=0):
    shape = (h, w) if c == 1 else (h, w, c)
    return (np.random.RandomState(seed).rand(*shape) * 255).astype(np.uint8)


@pytest.mark.parametrize("c", [1, 3, 4])
def test_new_pixels_in_place_are_the_same_ram_image_as_a_fresh_texture(c):
    tex = numpy_to_texture(image(6, 5, c, seed=1), "t")
    before = bytes(tex.getRamImage())
    assert numpy_to_texture(image(6, 5, c, seed=2), tex=tex) is tex
    fresh = numpy_to_texture(image(6, 5, c, seed=2), "fresh")
    assert bytes(tex.getRamImage()) == bytes(fresh.getRamImage()) != before
    if c == 3:
        assert (texture_to_numpy(tex) == image(6, 5, 3, seed=2)).all()
    if c == 4:
        assert (texture_to_numpy(tex, channels=4) == image(6, 5, 4, seed=2)).all()


def test_an_existing_texture_keeps_its_sampler_and_takes_a_new_size():
    tex = numpy_to_texture(np.zeros((1, 1, 3), np.uint8), "grid")
    for set_filter in (tex.setMinfilter, tex.setMagfilter):
        set_filter(SamplerState.FT_nearest)  # a view's crisp cells
    numpy_to_texture(image(8, 12, 3), tex=tex)  # another size: set up again
    numpy_to_texture(image(8, 12, 3, seed=3), tex=tex)  # the same size: in place
    assert (tex.getXSize(), tex.getYSize()) == (12, 8)
    assert tex.getMinfilter() == tex.getMagfilter() == SamplerState.FT_nearest
    assert (texture_to_numpy(tex) == image(8, 12, 3, seed=3)).all()
    numpy_to_texture(image(8, 12, 4), tex=tex)  # another kind: set up again
    assert tex.getFormat() == Texture.F_rgba
    assert (texture_to_numpy(tex, channels=4) == image(8, 12, 4)).all()


def test_fresh_textures_are_clamped_and_mipmapped_ones_filtered_as_asked():
    plain = numpy_to_texture(image(4, 4, 3), "plain")
    assert plain.getMinfilter() == SamplerState.FT_linear
    assert plain.getWrapU() == SamplerState.WM_clamp
    picture = numpy_to_texture(image(4, 4, 3), "picture", mipmaps=True, anisotropy=1)
    assert picture.getMinfilter() == SamplerState.FT_linear_mipmap_linear
    assert picture.getAnisotropicDegree() == 1
    assert numpy_to_texture(image(4, 4, 3), "surface", mipmaps=True).getAnisotropicDegree() == 4
    with pytest.raises(TypeError):
        numpy_to_texture(np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError):
        numpy_to_texture(np.zeros((2, 2, 2), np.uint8))
