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
