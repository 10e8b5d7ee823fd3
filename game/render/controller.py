"""Keeps the pipeline's scene in step with the discrete parameters (object, background,
feat_vis).

A bad file never breaks the scene: the error is reported through ``on_error`` and the
parameter goes back to what is still on screen. A ``strict`` controller (headless
batch runs) raises instead.

``feat_vis`` is an image file or ``<layer>:<channel>``; the latter is resolved by a
feature source (the app's feature-visualisation service, :meth:`set_feature_source`).
While its picture is being made the plane shows a placeholder (``feature_pending``
names it) and :meth:`refresh_feature_plane` puts the picture on once it is there. A
``<layer>:<channel>`` given before a source exists waits for one.
"""
from __future__ import annotations

import logging
from typing import Callable

from game.render import assets
from game.core.params import SCENE_DISCRETE, ParamError, ParamState
from game.render.pipeline import FramePipeline
from models3d.mesh import AssetError

log = logging.getLogger(__name__)


class SceneController:
    def __init__(self, params: ParamState, pipeline: FramePipeline,
                 on_error: Callable[[str], None] | None = None,
                 on_object: Callable[[object], None] | None = None, strict: bool = False):
        self.params = params
        self.strict = strict  # raise instead of reverting: a batch run must not go on
        self.pipeline = pipeline
        self.on_error = on_error or (lambda msg: log.error("%s", msg))
        self.on_object = on_object
        self.loaded = {"object": None, "background": None, "feat_vis": ""}
        self.object_pair = None
        self.feature_source: assets.FeatureSource | None = None
        self.feature_pending = ""   # the <layer>:<channel> whose placeholder is on the plane
        self._shown_before = ""     # feat_vis before the current <layer>:<channel>
        self._deferred = ""         # a <layer>:<channel> waiting for a feature source
        self._reverting = False
        self._load("object", params["object"], initial=True)
        self._load("background", params["background"], initial=True)
        if params["feat_vis"]:
            if assets.is_feature_spec(params["feat_vis"]):
                self._deferred = params["feat_vis"]
            else:
                self._load("feat_vis", params["feat_vis"], initial=True)
        self._unsubscribe = params.watch(SCENE_DISCRETE, self._changed)

    def _changed(self, name, value) -> None:
        if not self._reverting and value != self.loaded[name]:
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
                plane = (assets.resolve_feature_plane(spec, self.feature_source) if spec
                         else self.object_pair)
                self.pipeline.scene.set_pair(plane)
                self.feature_pending = spec if assets.is_placeholder(plane) else ""
                if spec != self.loaded["feat_vis"]:
                    self._shown_before = self.loaded["feat_vis"]
            else:
                self.pipeline.scene.set_background(assets.resolve_background(spec))
        except (AssetError, ParamError, OSError) as exc:
            if initial or self.strict:
                if isinstance(exc, OSError):
                    raise AssetError(f"could not load {name} {spec!r}: {exc}") from exc
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

    # -- <layer>:<channel> on the Feat. Vis. plane -------------------------------------------
    def set_feature_source(self, source: assets.FeatureSource | None) -> None:
        """``source(spec)`` -> image, None while being made; raises for a bad spec."""
        self.feature_source = source
        deferred, self._deferred = self._deferred, ""
        if deferred and self.params["feat_vis"] == deferred:
            self._load("feat_vis", deferred)

    def refresh_feature_plane(self) -> None:
        """Resolve the shown ``<layer>:<channel>`` again: its picture arrived, or what names
        it (Model 1, Naive Parameterization) changed. If that fails, the plane goes back to
        what it showed before (an image file), or off."""
        spec = self.loaded["feat_vis"]
        if not spec or not assets.is_feature_spec(spec):
            return
        try:
            plane = assets.resolve_feature_plane(spec, self.feature_source)
        except AssetError as exc:
            if self.strict:
                raise
            self.on_error(f"feat_vis {spec!r}: {exc}")
            before = self._shown_before if not assets.is_feature_spec(self._shown_before) else ""
            self._reverting = True
            try:
                self.params.set("feat_vis", before)
            finally:
                self._reverting = False
            self._load("feat_vis", before)
            return
        self.pipeline.scene.set_pair(plane)
        self.feature_pending = spec if assets.is_placeholder(plane) else ""
        self.pipeline.invalidate()

    def use_preferred_camera(self) -> None:
        """Move the camera to the current object's preferred view (if it has one)."""
        pair = self.object_pair
        if pair is not None and pair.camera:
            self.params.update(pair.camera)

    def destroy(self) -> None:
        self._unsubscribe()
