"""A scene with no GUI: for the CLI and tests. Renders through EGL offscreen."""
from __future__ import annotations

from contextlib import contextmanager

from game.core.params import ParamState


@contextmanager
def headless_pipeline(params: ParamState | None = None):
    """Yields (base, pipeline, controller) on an offscreen 224x224 host; cleans up.

    The controller is strict: an object, background or Feat. Vis. image that cannot be
    loaded raises (AssetError) instead of leaving the previous one in place, so a batch
    run never measures a scene other than the one it names."""
    from game.render.prc import configure

    configure(offscreen=True, size=(224, 224))
    from game.render.showbase import make_showbase

    from game.render.controller import SceneController
    from game.render.pipeline import FramePipeline

    params = params or ParamState()
    base = make_showbase(windowType="offscreen")
    pipeline = controller = None
    try:
        pipeline = FramePipeline(base.win, params)
        controller = SceneController(params, pipeline, strict=True)
        yield base, pipeline, controller
    finally:
        if controller:
            controller.destroy()
        if pipeline:
            pipeline.destroy()
        base.destroy()
