"""Keeps the pipeline's scene in step with the discrete parameters (object, background).

A bad file never breaks the scene: the error is reported through ``on_error`` and the
parameter goes back to what is still on screen.
"""
from __future__ import annotations

import logging
from typing import Callable

from game import assets
from game.params import ParamError, ParamState
from game.pipeline import FramePipeline
from models3d.mesh import AssetError

log = logging.getLogger(__name__)


class SceneController:
    def __init__(self, params: ParamState, pipeline: FramePipeline,
                 on_error: Callable[[str], None] | None = None,
                 on_object: Callable[[object], None] | None = None):
        self.params = params
        self.pipeline = pipeline
        self.on_error = on_error or (lambda msg: log.error("%s", msg))
        self.on_object = on_object
        self.loaded = {"object": None, "background": None, "feat_vis": ""}
        self.object_pair = None
        self._reverting = False
        self._load("object", params["object"], initial=True)
        self._load("background", params["background"], initial=True)
        if params["feat_vis"]:
            self._load("feat_vis", params["feat_vis"], initial=True)
        self._unsubscribe = params.subscribe(self._changed)

    def _changed(self, name, value) -> None:
        if name in self.loaded and not self._reverting and value != self.loaded[name]:
            self._load(name, value)

    def _load(self, name: str, spec: str, initial: bool = False) -> None:
        try:
            if name == "object":
                pair = assets.resolve_object(spec)
                self.object_pair = pair
                if not self.loaded["feat_vis"]:
                    self.pipeline.scene.set_pair(pair)
                if self.on_object:
                    self.on_object(pair)
            elif name == "feat_vis":
                plane = assets.resolve_feature_plane(spec) if spec else self.object_pair
                self.pipeline.scene.set_pair(plane)
            else:
                self.pipeline.scene.set_background(assets.resolve_background(spec))
        except (AssetError, ParamError, OSError) as exc:
            if initial:
                raise
            self.on_error(f"could not load {name} {spec!r}: {exc}")
            self._reverting = True
            try:
                self.params.set(name, self.loaded[name])
            finally:
                self._reverting = False
            return
        self.loaded[name] = spec
        self.pipeline.invalidate()

    def use_preferred_camera(self) -> None:
        """Move the camera to the current object's preferred view (if it has one)."""
        pair = self.object_pair
        if pair is not None and pair.camera:
            self.params.update(pair.camera)

    def destroy(self) -> None:
        self._unsubscribe()
