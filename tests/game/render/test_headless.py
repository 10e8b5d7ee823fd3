"""The headless pipeline is strict: a scene input it cannot use stops the run."""
import pytest

from game.core.params import ParamState
from game.render.headless import headless_pipeline
from models3d.mesh import AssetError


def test_an_unusable_input_raises_instead_of_keeping_the_previous_scene(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    params = ParamState()
    with headless_pipeline(params) as (_base, pipeline, controller):
        before = pipeline.render_now().image
        with pytest.raises(AssetError, match="broken.png"):
            params.set("background", str(tmp_path / "broken.png"))
        with pytest.raises(AssetError, match="no_such.obj"):
            params.set("object", str(tmp_path / "no_such.obj"))
        with pytest.raises(AssetError, match="block99:3"):
            params.set("feat_vis", "block99:3")
        assert controller.loaded["background"] == "lawn"  # nothing half-loaded
        params.update({"background": "lawn", "object": "dog_cat", "feat_vis": ""})
        assert (pipeline.render_now().image == before).all()


def test_a_separate_alpha_texture_cuts_the_object_where_it_is_below_half(tmp_path):
    """The morph shader samples the alpha texture only for objects that have one: an
    opaque alpha gives exactly the frame without one, a clear one leaves only the
    background, a half-clear one the background on its clear half."""
    import numpy as np
    from PIL import Image

    (tmp_path / "quad.obj").write_text(
        "v -1 0 -1\nv 1 0 -1\nv 1 0 1\nv -1 0 1\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\n"
        "f 1/1 2/2 3/3 4/4\n")
    rgb = (np.random.RandomState(0).rand(64, 64, 3) * 255).astype(np.uint8)
    Image.fromarray(rgb).save(tmp_path / "diffuse.png")
    for name, fill in (("opaque", 255), ("clear", 0)):
        Image.fromarray(np.full((64, 64), fill, np.uint8)).save(tmp_path / f"{name}.png")
    half = np.zeros((64, 64), np.uint8)
    half[:, 32:] = 255
    Image.fromarray(half).save(tmp_path / "half.png")
    params = ParamState()
    frames = {}
    with headless_pipeline(params) as (_base, pipeline, _controller):
        for alpha in ("", "opaque", "clear", "half"):
            spec = f"{tmp_path / 'quad.obj'}|diffuse={tmp_path / 'diffuse.png'}"
            params.set("object", spec + (f"|alpha={tmp_path / alpha}.png" if alpha else ""))
            params.update({"yaw": 0.0, "pitch": -60.0})
            frames[alpha] = pipeline.render_now().image.astype(int)
    assert (frames["opaque"] == frames[""]).all()
    object_pixels = (frames["clear"] != frames[""]).any(axis=2)
    assert object_pixels.sum() > 500  # the quad is in view, and gone when clear
    cut = (frames["half"] != frames[""]).any(axis=2)
    assert 0.2 < cut.sum() / object_pixels.sum() < 0.8  # about half of it cut away
    assert (frames["half"][cut] == frames["clear"][cut]).all()  # the background there
