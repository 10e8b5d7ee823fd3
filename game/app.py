"""The Perturber app: a ShowBase subclass that only wires the subsystems together."""
from __future__ import annotations

import logging
from pathlib import Path

from game.params import ParamState
from game.prc import configure

log = logging.getLogger(__name__)

# Task order around Panda's igLoop (sort 50): arm the buffers, render, read back.
SORT_ARM = 45
SORT_CAPTURE = 55


class PerturberApp:
    """Owns the ShowBase. Created with ``offscreen=True`` it needs no display (EGL)."""

    def __init__(self, params: ParamState | None = None, offscreen: bool = False,
                 size: tuple[int, int] = (1280, 800)):
        configure(offscreen=offscreen, size=size)
        from direct.showbase.ShowBase import ShowBase

        from game.controller import SceneController
        from game.pipeline import FramePipeline

        self.offscreen = offscreen
        self.params = params or ParamState()
        self.base = ShowBase(windowType="offscreen" if offscreen else "onscreen")
        self.base.disableMouse()  # the camera belongs to the parameter model
        self.base.setBackgroundColor(0.1, 0.1, 0.11, 1)
        if offscreen:
            from game.virtual_mouse import attach_virtual_mouse

            self.virtual_mouse = attach_virtual_mouse(self.base)
        self.pipeline = FramePipeline(self.base.win, self.params)
        self.messages: list[str] = []
        self.controller = SceneController(self.params, self.pipeline,
                                          on_error=self.show_error, on_object=self._object_loaded)
        self._build_ui()
        self._object_loaded(self.pipeline.scene.pair)
        self.base.taskMgr.add(self._arm_task, "perturber-arm", sort=SORT_ARM)
        self.base.taskMgr.add(self._capture_task, "perturber-capture", sort=SORT_CAPTURE)
        self.base.accept("window-event", self._window_event)

    # -- UI ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        from game import assets
        from ui.layout import MainLayout
        from ui.scene_panel import ScenePanel

        self.layout = MainLayout(self.base.aspect2d, self.base.getAspectRatio())
        self.path_dialog = None  # the open "Open file..." dialog, if any
        self.layout.set_scene_texture(self.pipeline.output)
        self.scene_panel = ScenePanel(
            self.layout.scene_panel, self.params,
            object_names=assets.object_names(), background_names=assets.background_names(),
            on_object=lambda name: self._set_discrete("object", name),
            on_background=lambda name: self._set_discrete("background", name),
            on_custom_code=self.pipeline.set_custom_snippet, on_open_file=self._open_file,
            custom_code=self.pipeline.custom.snippet, side=self.layout.view_side)
        from game.mouse import MouseOrbit

        self.mouse = MouseOrbit(self.base, self.params, self.layout.in_scene_view)

    def _open_file(self, kind: str):
        """The "Open file..." dialog for ``kind`` ("object" or "background")."""
        import os

        from ui.path_dialog import PathDialog

        def on_path(path: str):
            if not os.path.isfile(path):
                return f"no such file: {path}"
            reported = len(self.messages)
            self.params.set(kind, path)
            if self.controller.loaded[kind] != path:  # reverted; show_error said why
                new = len(self.messages) > reported
                return self.messages[-1] if new else f"could not load {path}"
            if kind == "object":
                self.controller.use_preferred_camera()
            return None

        if self.path_dialog is not None:
            self.path_dialog.close()
        self.path_dialog = PathDialog(self.base.aspect2d, kind, on_path,
                                      on_close=lambda: setattr(self, "path_dialog", None))
        return self.path_dialog

    def _set_discrete(self, name: str, value: str) -> None:
        self.params.set(name, value)
        if name == "object" and self.controller.loaded["object"] == value:
            self.controller.use_preferred_camera()

    def _object_loaded(self, pair) -> None:
        panel = getattr(self, "scene_panel", None)
        if panel is not None and pair is not None:
            panel.set_morph_label(pair.morph_label)

    def show_error(self, message: str) -> None:
        log.error("%s", message)
        self.messages.append(message)
        panel = getattr(self, "scene_panel", None)
        if panel is not None:
            panel.show_code_status(message)

    def _window_event(self, win) -> None:
        if win is self.base.win and hasattr(self, "layout"):
            self.layout.set_aspect_ratio(self.base.getAspectRatio())

    # -- frame tasks ----------------------------------------------------------------
    def _arm_task(self, task):
        self.pipeline.before_render()
        return task.cont

    def _capture_task(self, task):
        frame = self.pipeline.after_render()
        if frame is not None:
            self.base.messenger.send("perturber-frame", [frame])
        return task.cont

    # -- running ---------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        for _ in range(n):
            self.base.taskMgr.step()

    def save_window_screenshot(self, path: Path) -> Path:
        from panda3d.core import Filename

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.step(3)  # arm -> render -> read back, then one more frame for the GUI
        if not self.base.win.saveScreenshot(Filename.fromOsSpecific(str(path.resolve()))):
            raise RuntimeError(f"could not save the screenshot to {path}")
        return path

    def run(self) -> None:
        self.base.run()

    def destroy(self) -> None:
        self.base.taskMgr.remove("perturber-arm")
        self.base.taskMgr.remove("perturber-capture")
        if hasattr(self, "mouse"):
            self.mouse.destroy()
        if getattr(self, "path_dialog", None) is not None:
            self.path_dialog.close()
        if hasattr(self, "scene_panel"):
            self.scene_panel.destroy()
            self.layout.destroy()
        self.controller.destroy()
        self.pipeline.destroy()
        self.base.destroy()
