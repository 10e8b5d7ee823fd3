"""Fixtures for rendering tests: a real headless pipeline (EGL, Mesa llvmpipe)."""
import numpy as np
import pytest
from PIL import Image

from game.core.params import ParamState


@pytest.fixture(scope="session")
def background_file(tmp_path_factory):
    """A busy, colourful background image (lots of high frequencies)."""
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:512, 0:512]
    img = np.stack([(x * 3) % 256, (y * 5) % 256, ((x ^ y) * 7) % 256], -1).astype(np.float64)
    img = np.clip(img * 0.7 + rng.random((512, 512, 3)) * 76, 0, 255).astype(np.uint8)
    path = tmp_path_factory.mktemp("bg") / "busy.png"
    Image.fromarray(img).save(path)
    return path


@pytest.fixture(scope="module")
def scene(background_file):
    """(params, pipeline, controller) with the sphere/box pair on a busy background."""
    from game.render.headless import headless_pipeline

    params = ParamState()
    params.set("object", "sphere_box")
    params.set("background", str(background_file))
    with headless_pipeline(params) as (_base, pipeline, controller):
        controller.strict = False  # as in the app: a bad input is reported and reverted
        controller.use_preferred_camera()
        yield params, pipeline, controller


@pytest.fixture
def render(scene):
    """render(**params) -> float image in [0, 1]. Each call starts from the defaults
    (camera: the object's preferred view), so calls never leak into each other."""
    params, pipeline, _ = scene
    camera = dict(pipeline.scene.pair.camera)

    def _render(**values):
        params.reset()
        params.update({**camera, **values})
        return pipeline.render_now().image.astype(np.float64) / 255.0

    yield _render
    params.reset()
    params.update(camera)


def sphere_box_app(background_file, **values):
    """A real offscreen PerturberApp (1280x800) showing the sphere/box pair on the busy
    background from its preferred camera; ``values`` are set before the app starts."""
    from game.app.root import PerturberApp

    params = ParamState()
    params.update({"object": "sphere_box", "background": str(background_file), **values})
    app = PerturberApp(params=params, offscreen=True, size=(1280, 800))
    app.controller.use_preferred_camera()
    return app
