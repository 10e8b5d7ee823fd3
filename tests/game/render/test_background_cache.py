"""The cached background gives the same frames, bit for bit, as drawing it every frame."""
import itertools

import numpy as np
import pytest

from game.render.controller import SceneController
from game.render.pipeline import FramePipeline

# Camera, morph and post effects change with every state; the background's own
# parameters and the image itself in an order that goes back and forth.
CAMERAS = ({"yaw": -45.0}, {"yaw": 60.0, "pitch": 25.0}, {"distance": 2.5, "pan_x": 0.2},
           {"roll": 15.0, "yaw": -120.0})
LOOKS = ({}, {"overall_morph": 1.0}, {"hue": 0.3, "saturation": 0.5},
         {"patch_shuffle": 3, "alpha": 0.6}, {"shape_morph": 0.5, "custom": 0.5})


@pytest.fixture(scope="module")
def reference(scene):
    """A second pipeline on the same parameters that draws the background every frame."""
    params, pipeline, _ = scene
    ref = FramePipeline(pipeline.host, params, cache_background=False)
    controller = SceneController(params, ref)
    yield ref
    controller.destroy()
    ref.destroy()


def states(background_file):
    backgrounds = (str(background_file), "street", str(background_file))
    grid = itertools.product(backgrounds, (0.0, 0.4), (1.0, 0.3))
    for i, (image, blur, saturation) in enumerate(grid):
        for j in range(2):  # then a change that leaves the background as it is
            k = 2 * i + j
            yield {"background": image, "background_blur": blur,
                   "background_saturation": saturation,
                   **CAMERAS[k % len(CAMERAS)], **LOOKS[k % len(LOOKS)]}


def test_cached_and_uncached_frames_are_bit_identical(scene, reference, background_file):
    params, pipeline, _ = scene
    camera = dict(pipeline.scene.pair.camera)
    compared = 0
    for state in states(background_file):
        params.reset()
        params.update({**camera, **state})
        cached, drawn = pipeline.render_now().image, reference.render_now().image
        assert np.array_equal(cached, drawn), state
        compared += 1
    assert compared == 24


def test_the_background_renders_only_when_it_changed(scene):
    params, pipeline, _ = scene
    background = pipeline.scene.background
    pipeline.render_now()
    for change, renders in (({"yaw": 12.0}, False), ({"hue": 0.1}, False),
                            ({"background_blur": 0.2}, True), ({"pitch": 3.0}, False),
                            ({"background_saturation": 0.5}, True), ({"background": "lawn"}, True),
                            ({"distance": 3.0}, False)):
        params.update(change)
        pipeline.before_render()
        assert background.buffer.isActive() == renders, change
        pipeline.render_now()
        assert not background.stale
