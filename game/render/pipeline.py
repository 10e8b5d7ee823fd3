"""Scene -> post chain -> 224x224 frame in RAM, rendered only when something changed.

The pipeline listens to the parameter model. While nothing changes its buffers are
inactive (the last result stays on screen at no cost); a change re-activates them
for exactly one frame, after which the frame is read back into numpy. The background
pass renders only when the background itself changed (``game.render.background``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from game.core.signals import Signal
from game.core.params import SCENE_NAMES, ParamState
from game.render.post.chain import PostChain
from game.render.post.custom import CustomEffect
from game.render.scene import Scene
from game.core.texconv import texture_to_numpy

FRAME_SIZE = (224, 224)


@dataclass(frozen=True)
class Frame:
    image: np.ndarray   # (224, 224, 3) uint8, row 0 at the top
    serial: int         # increases with every new frame
    params_version: int  # ParamState.version the frame was rendered from

    def as_float(self) -> np.ndarray:
        """(3, H, W) float32 in [0, 1], the networks' input layout."""
        return np.ascontiguousarray(self.image.transpose(2, 0, 1), dtype=np.float32) / 255.0


class FramePipeline:
    def __init__(self, host, params: ParamState, size=FRAME_SIZE, cache_background: bool = True):
        self.host = host
        self.params = params
        self.scene = Scene(host, size, cache_background=cache_background)
        self.chain = PostChain(host, self.scene.texture, size)
        self.frame: Frame | None = None
        self._serial = 0
        self._dirty = True
        self._pending_version = None
        self._active = True  # new buffers start active
        self.custom_changed = Signal()  # fn(code) after a new custom GLSL snippet took effect
        self._unsubscribe = params.watch(SCENE_NAMES, lambda _name, _value: self.invalidate())
        self.apply_params()

    @property
    def output(self):
        """The final texture (what the networks see), for display in the GUI."""
        return self.chain.output

    @property
    def custom(self) -> CustomEffect:
        return self.chain.effect(CustomEffect)

    def invalidate(self) -> None:
        self._dirty = True

    @property
    def dirty(self) -> bool:
        """Something changed since the last frame was rendered."""
        return self._dirty

    def set_custom_snippet(self, code: str) -> str | None:
        """Compile and use ``code`` (None), or the reason it was refused; ``custom_changed``
        hears every snippet taken."""
        error = self.custom.set_snippet(code)
        if error is None:
            self.invalidate()
            self.custom_changed.emit(code)
        return error

    def apply_params(self) -> None:
        values = self.params.values()
        self.scene.apply(values)
        self.chain.apply(values)

    # -- per-frame protocol (called by tasks around Panda's igLoop) ---------------
    def before_render(self) -> bool:
        """Push parameters and arm the buffers if something changed. True if armed."""
        armed = self._dirty
        if armed:
            self.apply_params()
            self._pending_version = self.params.version
            self._dirty = False
        self._set_active(armed)
        return armed

    def after_render(self) -> Frame | None:
        """Read the frame back if one was rendered this frame; disarm the buffers."""
        if self._pending_version is None:
            return None
        tex = self.chain.output
        if not tex.hasRamImage():
            return None
        self._serial += 1
        self.frame = Frame(texture_to_numpy(tex), self._serial, self._pending_version)
        self.scene.background.rendered()
        self._pending_version = None
        self._set_active(False)
        return self.frame

    def render_now(self, only_offscreen: bool = False) -> Frame:
        """Render and read back synchronously (CLI, tests, the app's sync mode).

        ``only_offscreen``: the host window is skipped (its frame comes later, with the
        results of this one).
        """
        self._dirty = True
        self.before_render()
        self._render_frame(only_offscreen)
        frame = self.after_render()
        if frame is None:  # some drivers need one more flip before the copy lands
            self._pending_version = self.params.version
            self._set_active(True)
            self._render_frame(only_offscreen)
            frame = self.after_render()
        if frame is None:
            raise RuntimeError("the frame could not be read back from the GPU")
        return frame

    def _render_frame(self, only_offscreen: bool) -> None:
        active = self.host.isActive()
        if only_offscreen and active:
            self.host.setActive(False)
        try:
            self.host.getEngine().renderFrame()
        finally:
            if only_offscreen and active:
                self.host.setActive(True)

    def _set_active(self, active: bool) -> None:
        # Called every frame by the app's task: touch the buffers only on a change.
        self.scene.background.arm(active)
        if active == self._active:
            return
        self._active = active
        self.scene.buffer.setActive(active)
        self.chain.set_active(active)

    def destroy(self) -> None:
        self._unsubscribe()
        self.chain.destroy()
        self.scene.destroy()
