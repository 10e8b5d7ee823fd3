"""The Perturber app: a ShowBase subclass that only wires the subsystems together."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from game.core.params import ParamState
from game.render.prc import configure

log = logging.getLogger(__name__)

# Task order around Panda's igLoop (sort 50): arm the buffers, render, read back and
# (sync mode) infer, then collect worker results and re-infer after model/view changes.
SORT_ARM = 45
SORT_CAPTURE = 55
SORT_INFER = 56

# Tools built on the models (attacks, weight editing, feature visualisation...), by the
# name the app keeps them under: each module has ``attach(app) -> tool`` (the tool has
# ``destroy()``), called in this order after the views exist.
TOOL_MODULES: dict[str, str] = {
    "attack": "game.tools.attack.tool",
    "featvis": "game.tools.featvis.tool",
    "editing": "game.tools.editing.tool",
    "recorder": "game.tools.recording.recorder",  # --record FILE and the record button
    "gamepad": "game.app.input.gamepad",  # hot-plugged gamepads, focus over every control
    "sensitivity": "game.tools.sensitivity.tool",  # bars beside the scene sliders
    "sweep": "game.tools.sweep.tool",  # the sweep panel
}


class PerturberApp:
    """Owns the ShowBase. Created with ``offscreen=True`` it needs no display (EGL)."""

    def __init__(self, params: ParamState | None = None, offscreen: bool = False,
                 size: tuple[int, int] = (1280, 800)):
        configure(offscreen=offscreen, size=size)
        from direct.showbase.ShowBase import ShowBase

        from game.app import memory

        memory.limit_arenas()  # before the background threads exist (see game.app.memory)

        from game.render.controller import SceneController
        from game.render.pipeline import FramePipeline

        self.offscreen = offscreen
        self.params = params or ParamState()
        self.base = ShowBase(windowType="offscreen" if offscreen else "onscreen")
        self.base.disableMouse()  # the camera belongs to the parameter model
        self.base.setBackgroundColor(0.1, 0.1, 0.11, 1)
        if offscreen:
            from game.app.input.virtual_mouse import attach_virtual_mouse

            self.virtual_mouse = attach_virtual_mouse(self.base)
        self.pipeline = FramePipeline(self.base.win, self.params)
        self.messages: list[str] = []
        # Named user actions (e.g. "attack.step"): buttons, gamepad, keyboard and the
        # replayer all call ``do(name)``; listeners (the recorder) hear each one.
        self.actions: dict[str, Callable[[], object]] = {}
        self.action_listeners: list[Callable[[str], None]] = []
        self.controller = SceneController(self.params, self.pipeline,
                                          on_error=self.show_error, on_object=self._object_loaded)
        self._build_models()
        self._build_ui()
        self._object_loaded(self.pipeline.scene.pair)
        self._show_mode(self.params["inference_mode"])
        self.tools = self._build_tools()
        self.base.taskMgr.add(self._arm_task, "perturber-arm", sort=SORT_ARM)
        self.base.taskMgr.add(self._capture_task, "perturber-capture", sort=SORT_CAPTURE)
        self.base.taskMgr.add(self._infer_task, "perturber-infer", sort=SORT_INFER)
        self.trimmer = memory.Trimmer(self.base.taskMgr)  # freed torch memory back to the OS
        self.base.accept("window-event", self._window_event)

    # -- models ----------------------------------------------------------------------
    def _build_models(self) -> None:
        import os

        import numpy as np
        import torch

        from game.app.engine import InferenceEngine
        from game.app.slots import ModelSlots

        # The rasteriser (llvmpipe here) and torch share the cores. On a quiet 2-core
        # machine torch's default (2 threads) gave the shortest frames; on a busy one
        # 1 thread is 2-5x faster and steadier: PERTURBER_TORCH_THREADS=1.
        threads = os.environ.get("PERTURBER_TORCH_THREADS")
        if threads:
            torch.set_num_threads(max(1, int(threads)))

        from game.core.texconv import numpy_to_texture

        from game.tools.featvis.groups import GroupSource

        from game.tools.featvis.service import FeatureVisService

        self.slots = ModelSlots(self.params, on_error=self.show_error,
                                on_change=lambda slot: self._slot_changed(slot))
        self.featvis = FeatureVisService(self.slots, naive=lambda: self.params.flag("naive_param"))
        # Groups arrive on a background thread: the next frame re-infers with them.
        self.groups = GroupSource(on_ready=lambda: self.engine.invalidate(),
                                  on_error=lambda msg: log.warning("%s", msg))
        self.engine = InferenceEngine(self.base.taskMgr, self.params, self.slots,
                                      self._on_result, groups=self.groups.lookup,
                                      on_error=self.show_error)
        # Sync mode shows the frame the networks saw, swapped in with their results:
        # the scene view is never newer than the activations beside it.
        self.shown_texture = numpy_to_texture(np.zeros((224, 224, 3), np.uint8), "shown-frame")
        self.shown_serial = 0
        self.params.subscribe(lambda name, value: self._show_mode(value)
                              if name == "inference_mode" else None)

    def _show_mode(self, mode: str) -> None:
        if hasattr(self, "layout"):
            self.layout.set_scene_texture(self.shown_texture if mode == "sync"
                                          else self.pipeline.output)

    def _on_result(self, result) -> None:
        from game.core.texconv import numpy_to_texture

        if self.engine.mode == "sync":
            numpy_to_texture(result.image, tex=self.shown_texture)
            self.shown_serial = result.frame_serial
        for view in self._result_views():
            view.update(result)

    def _result_views(self):
        return [v for v in (getattr(self, "activation_view", None),
                            getattr(self, "prediction_view", None)) if v is not None]

    # -- UI ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        from game.render import assets
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
        from game.app.input.mouse import MouseOrbit

        self.mouse = MouseOrbit(self.base, self.params, self.layout.in_scene_view)
        self._build_model_views()

    def _build_model_views(self) -> None:
        """Model slots and activations in the middle column, predictions on the right."""
        from game.app.slots import registry_choices
        from ui import theme
        from ui.activation_view import ActivationView
        from ui.model_slots import ModelSlots as SlotsView
        from ui.prediction_view import PredictionView

        (mw, mh) = self.layout.columns["Models"].body_size
        (rw, rh) = self.layout.columns["Predictions"].body_size
        pad, fv = theme.PAD, self.featvis
        self.slots_view = SlotsView(self.layout.middle_body, self.params, mw - 2 * pad,
                                    (pad, -pad), registry_choices())
        for slot, message in self.slots.errors.items():
            self.slots_view.set_status(slot, message, error=True)
        top_z = self.slots_view.height + 2 * pad
        self.activation_view = ActivationView(
            self.layout.middle_body, self.params, mw - 2 * pad, mh - top_z - pad, (pad, -top_z),
            self._layer_names(), fv.channel,
            on_request_featvis=lambda _slot, *key: fv.request_channel(*key))
        self.prediction_view = PredictionView(
            self.layout.right_body, self.params, rw - 2 * pad, rh - 2 * pad, (pad, -pad),
            fv.class_image, fv.request_class)

    def _build_tools(self) -> dict:
        import importlib

        return {name: importlib.import_module(module).attach(self)
                for name, module in TOOL_MODULES.items()}

    def _layer_names(self) -> list[str]:
        first = next((m for m in self.slots.enabled()), None) or next(
            (m for m in self.slots.loaded.values() if m is not None), None)
        return [layer.name for layer in first.model.layers] if first else []

    def _slot_changed(self, slot: str) -> None:
        view = getattr(self, "slots_view", None)
        if view is None:
            return
        error = self.slots.errors.get(slot)
        view.set_status(slot, error or "", error=bool(error))
        if slot == "model1" and hasattr(self, "activation_view"):
            self.activation_view.set_layers(self._layer_names())

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

    def add_action(self, name: str, fn: Callable[[], object]) -> None:
        self.actions[name] = fn

    def do(self, name: str):
        """Run the named action; unknown names are reported, never raised."""
        fn = self.actions.get(name)
        if fn is None:
            self.show_error(f"unknown action {name!r}")
            return None
        for listener in list(self.action_listeners):
            listener(name)
        return fn()

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
        if self.engine.mode == "sync" and self.pipeline.dirty:
            # Sync mode: frame -> networks -> views, then the window shows all of it in
            # this same frame (input -> shown activations within one frame).
            frame = self.pipeline.render_now(only_offscreen=True)
            self.base.messenger.send("perturber-frame", [frame])
            self.engine.submit(frame)
            return task.cont
        self.pipeline.before_render()
        return task.cont

    def _capture_task(self, task):
        frame = self.pipeline.after_render()
        if frame is not None:
            self.base.messenger.send("perturber-frame", [frame])
            self.engine.submit(frame)
        return task.cont

    def _infer_task(self, task):
        self.engine.submit()  # re-infers only if models or the view changed
        self.engine.poll()
        if self.featvis.ready():  # a requested visualisation finished on its thread
            self.activation_view.refresh_featvis()
            self.prediction_view.refresh_class_vis()
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
        self.base.taskMgr.remove("perturber-infer")
        self.trimmer.destroy()
        self.engine.destroy()
        self.slots.destroy()
        if hasattr(self, "mouse"):
            self.mouse.destroy()
        if getattr(self, "path_dialog", None) is not None:
            self.path_dialog.close()
        for tool in reversed(list(getattr(self, "tools", {}).values())):
            tool.destroy()
        for name in ("activation_view", "prediction_view", "slots_view"):
            if getattr(self, name, None) is not None:
                getattr(self, name).destroy()
        self.featvis.destroy()
        self.groups.destroy()
        if hasattr(self, "scene_panel"):
            self.scene_panel.destroy()
            self.layout.destroy()
        self.controller.destroy()
        self.pipeline.destroy()
        self.base.destroy()
