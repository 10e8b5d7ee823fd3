"""The Perturber app: a ShowBase subclass that only wires the subsystems together."""
from __future__ import annotations

import logging
from pathlib import Path

from game.core.params import ParamState
from game.core.signals import Signal
from game.core.stages import Stage
from game.render.prc import app_raster_threads, configure

log = logging.getLogger(__name__)

# The app's tools, by the name the app keeps them under (``app.tools``), attached in this
# order once the views exist: each module has ``attach(ctx) -> tool`` with the app's
# ``game.tools.context.ToolContext`` (the tool has ``destroy()``).
TOOLS: dict[str, str] = {
    "attack": "game.tools.attack.tool",
    "featvis": "game.tools.featvis.tool",
    "editing": "game.tools.editing.tool",
    "recorder": "game.tools.recording.recorder",  # --record FILE and the record button
    "gamepad": "game.app.input.gamepad",  # hot-plugged gamepads, focus over every control
    "sensitivity": "game.tools.sensitivity.tool",  # bars beside the scene sliders
    "sweep": "game.tools.sweep.tool",  # the sweep panel
    "layergrid": "game.tools.layergrid.tool",  # every channel of the layer, zoomed on a click
}
# Kiosk mode locks the whole app down (the window, its dialogs, every task guarded), so
# it attaches to the app itself, on request, after the command line's scene options:
# ``PerturberApp.attach_kiosk``.
KIOSK = "game.app.input.kiosk"


class PerturberApp:
    """Owns the ShowBase. Created with ``offscreen=True`` it needs no display (EGL).

    ``backend`` runs the live forward passes: "torch", "onnx", "openvino" or "auto"
    (nets.backends). With ``background_exports`` (the interactive app) "auto" does not
    wait for a model's missing ONNX graph: the slot runs on torch until a child process
    has exported it (``game.app.slots``).
    """

    def __init__(self, params: ParamState | None = None, offscreen: bool = False,
                 size: tuple[int, int] = (1280, 800), backend: str = "auto",
                 gui_cache: bool = True, background_exports: bool = False):
        configure(offscreen=offscreen, size=size, raster_threads=app_raster_threads())
        from game.render.showbase import make_showbase

        from game.app import memory

        memory.limit_arenas()  # before the background threads exist (see game.app.memory)

        from game.app.actions import Actions
        from game.app.redraw import WindowRedraw
        from game.render.controller import SceneController
        from game.render.pipeline import FramePipeline

        self.offscreen = offscreen
        self.params = params or ParamState()
        self.base = make_showbase(windowType="offscreen" if offscreen else "onscreen")
        from game.app.main_thread_gc import MainThreadCollector

        # Before any thread of the app starts: cycles holding Panda3D objects are freed
        # on this thread only (see game.app.main_thread_gc).
        self.collector = MainThreadCollector(self.base.taskMgr)
        self.base.disableMouse()  # the camera belongs to the parameter model
        from ui.layout import CLEAR

        self.base.setBackgroundColor(*CLEAR)  # the layout's columns, as the window's clear
        if offscreen:
            from game.app.input.virtual_mouse import attach_virtual_mouse

            self.virtual_mouse = attach_virtual_mouse(self.base)
        self.pipeline = FramePipeline(self.base.win, self.params)
        self.messages: list[str] = []
        self.actions = Actions(on_unknown=lambda msg: self.show_error(msg, self.layout.view))
        self.results = Signal()       # fn(result) for every inference result, views first
        self.scene_clicks = Signal()  # fn() on a click (no drag) in the scene view
        # The window is drawn only in frames where something in it can have changed.
        self.redraw = WindowRedraw(self.base, self.params)
        self.results.connect(lambda _result: self.redraw.request(units=False))
        self.actions.done.connect(lambda _name: self.redraw.request())
        # The views first: everything built after them may report to them at once.
        self._build_ui()
        self.controller = SceneController(self.params, self.pipeline,
                                          on_error=self._scene_error, on_object=self._object_loaded)
        self._build_models(backend, background_exports)
        self._build_model_views()
        self._unwatch_mode = self.params.watch("inference_mode",
                                               lambda _name, mode: self._show_mode(mode))
        self._show_mode(self.params["inference_mode"])
        self.tools = self._build_tools()
        self.gui_cache = None
        if gui_cache:
            try:
                self.gui_cache = self._build_gui_cache()
            except Exception:  # no offscreen buffer here: every widget drawn, as before
                log.exception("no GUI cache: every widget is drawn in every drawn frame")
        tasks = self.base.taskMgr
        tasks.add(self._render_or_arm_task, "perturber-render-or-arm", sort=Stage.ARM)
        tasks.add(self._capture_task, "perturber-capture", sort=Stage.CAPTURE)
        tasks.add(self._infer_task, "perturber-infer", sort=Stage.INFER)
        self.trimmer = memory.Trimmer(tasks)  # freed torch memory back to the OS
        self.base.accept("window-event", self._window_event)

    # -- models ----------------------------------------------------------------------
    def _build_models(self, backend: str, background_exports: bool) -> None:
        import numpy as np
        import torch

        from game.app.engine import InferenceEngine
        from game.app.slots import ModelSlots
        from game.core.environment import torch_threads

        # The rasteriser (llvmpipe here) and torch share the cores. On a quiet 2-core
        # machine torch's default (2 threads) gave the shortest frames; on a busy one
        # 1 thread is 2-5x faster and steadier: PERTURBER_TORCH_THREADS=1.
        threads = torch_threads()
        if threads:
            torch.set_num_threads(threads)

        from game.core.texconv import numpy_to_texture

        from game.tools.featvis.groups import GroupSource

        from game.tools.featvis.service import FeatureVisService

        # The live pass runs on ``backend`` (nets.backends: onnx by default where it works).
        self.slots = ModelSlots(self.params, on_error=self.show_error, backend=backend,
                                background_exports=background_exports)
        self.base.taskMgr.add(self._models_task, "perturber-models", sort=Stage.MODELS)
        self.featvis = FeatureVisService(self.slots, naive=lambda: self.params.flag("naive_param"))
        # Groups arrive on a background thread: the next frame re-infers with them.
        self.groups = GroupSource(on_ready=lambda: self.engine.invalidate(),
                                  on_error=lambda msg: log.warning("%s", msg))
        self.engine = InferenceEngine(self.base.taskMgr, self.params, self.slots,
                                      self._on_result, groups=self.groups.lookup,
                                      on_error=lambda msg: self.show_error(
                                          msg, self.slots_view.root))
        # Sync mode shows the frame the networks saw, swapped in with their results:
        # the scene view is never newer than the activations beside it.
        self.shown_texture = numpy_to_texture(np.zeros((224, 224, 3), np.uint8), "shown-frame")
        self.shown_serial = 0

    def _show_mode(self, mode: str) -> None:
        self.layout.set_scene_texture(self.shown_texture if mode == "sync"
                                      else self.pipeline.output)

    def _on_result(self, result) -> None:
        from game.core.texconv import numpy_to_texture

        if self.engine.mode == "sync":
            numpy_to_texture(result.image, tex=self.shown_texture)
            self.shown_serial = result.frame_serial
        self.results.emit(result)

    # -- UI ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        from game.render import assets
        from ui.layout import MainLayout
        from ui.scene_panel import ScenePanel
        from ui.status_line import StatusLine
        from ui.text_pass import TextPass

        self.layout = MainLayout(self.base.aspect2d, self.base.getAspectRatio(), clear=True)
        self.text_pass = TextPass(self.base.render2d)
        self.base.taskMgr.add(self._text_pass_task, "perturber-text-pass", sort=Stage.WINDOW)
        self.status_line = StatusLine(self.base.aspect2d, self.base.taskMgr)
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

        self.mouse = MouseOrbit(self.base, self.params, self.layout.in_scene_view,
                                on_click=self.scene_clicks.emit)

    def _build_model_views(self) -> None:
        """Model slots and activations in the middle column, predictions on the right."""
        from game.app.slots import model_arch, registry_choices
        from ui import theme
        from ui.activation_view import ActivationView
        from ui.slots_view import ModelSlotsView as SlotsView
        from ui.prediction_view import PredictionView

        (mw, mh) = self.layout.columns["Models"].body_size
        (rw, rh) = self.layout.columns["Predictions"].body_size
        pad, fv = theme.PAD, self.featvis
        self.slots_view = SlotsView(self.layout.middle_body, self.params, mw - 2 * pad,
                                    (pad, -pad), registry_choices())
        for slot in self.slots.errors.keys() | self.slots.notes.keys():
            self._show_slot_status(slot)
        top_z = self.slots_view.height + 2 * pad
        self.activation_view = ActivationView(
            self.layout.middle_body, self.params, mw - 2 * pad, mh - top_z - pad, (pad, -top_z),
            self._layer_names(), fv.channel,
            on_request_featvis=lambda _slot, *key: fv.request_channel(*key),
            arch_of=lambda model: model_arch(self.slots, model), on_error=self.show_error)
        self.prediction_view = PredictionView(
            self.layout.right_body, self.params, rw - 2 * pad, rh - 2 * pad, (pad, -pad),
            fv.class_image, fv.request_class)
        self.results.connect(self.activation_view.update)
        self.results.connect(self.prediction_view.update)
        self.slots.on_change = self._slot_changed

    def _build_tools(self) -> dict:
        import importlib

        ctx = self._tool_context()
        return {name: importlib.import_module(module).attach(ctx)
                for name, module in TOOLS.items()}

    def _build_gui_cache(self):
        """The parts of the GUI that change only when touched, shown from a picture."""
        from game.app.gui_cache import GuiCache

        cache = GuiCache(self.base, self.redraw.clock)
        for name, group in self.scene_panel.columns.groups.items():
            cache.add(f"group-{name}", group.root)
        cache.add("scene-controls", self.scene_panel.controls.root)
        cache.add("model-slots", self.slots_view.root)
        # The sensitivity bars beside every scene slider dim on any scene change.
        self.redraw.attach_cache(cache, wide=lambda: self.params.flag("show_sensitivity"))
        return cache

    def _tool_context(self):
        from game.tools.context import Dock, Inference, ToolContext
        from ui.overlay_panel import SliderCover

        layout = self.layout
        dock = Dock(gui_root=self.base.aspect2d, scene_column=layout.left,
                    models_column=layout.middle, scene_view=layout.view,
                    predictions=layout.columns["Predictions"],
                    prediction_view=self.prediction_view, slot_rows=self.slots_view,
                    activations=self.activation_view, feat_vis_row=self.scene_panel.feat_vis,
                    scene_sliders=self.scene_panel.sliders,
                    over_sliders=SliderCover(layout.scene_panel),
                    columns=list(layout.columns.values()))
        return ToolContext(
            task_mgr=self.base.taskMgr, params=self.params, slots=self.slots,
            featvis=self.featvis, scene=self.controller,
            inference=Inference(self.engine, self.results), actions=self.actions, dock=dock,
            window=self.base.win, frame=lambda: self.pipeline.frame,
            custom_snippet=lambda: self.pipeline.custom.snippet,
            custom_changed=self.pipeline.custom_changed,
            scene_clicks=self.scene_clicks, show_error=self.show_error,
            show_note=self.status_line.note)

    def attach_kiosk(self, **options):
        """Kiosk mode (``game.app.input.kiosk``), kept as ``tools["kiosk"]``."""
        import importlib

        self.tools["kiosk"] = importlib.import_module(KIOSK).attach(self, **options)
        return self.tools["kiosk"]

    def _layer_names(self) -> list[str]:
        first = next((m for m in self.slots.enabled()), None) or next(
            (m for m in self.slots.loaded.values() if m is not None), None)
        return [layer.name for layer in first.model.layers] if first else []

    def _models_task(self, task):
        self.slots.poll()
        return task.cont

    def _show_slot_status(self, slot: str) -> None:
        """The slot's load error, else what it runs on meanwhile, else nothing."""
        error = self.slots.errors.get(slot)
        self.slots_view.set_status(slot, error or self.slots.notes.get(slot, ""), error=bool(error))

    def _slot_changed(self, slot: str) -> None:
        self._show_slot_status(slot)
        if slot == "model1":
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
        self.scene_panel.set_morph_label(pair.morph_label)

    def show_error(self, message: str, near=None) -> None:
        """Log and keep ``message``; with ``near`` (a widget: what failed) show it on the
        window's one status line under it. Without, whoever reports it shows it on a
        status line of its own (a model slot's, a tool panel's)."""
        log.error("%s", message)
        self.messages.append(message)
        self.redraw.request()
        if near is not None:
            self.status_line.show(message, near)

    def _scene_error(self, message: str) -> None:
        """A scene input that did not load: under the Feat. Vis. row or the menus."""
        row = self.scene_panel.feat_vis
        near = row.root if message.startswith("feat_vis") else \
            self.scene_panel.background_menu.menu
        self.show_error(message, near)

    def _window_event(self, win) -> None:
        if win is self.base.win:
            self.layout.set_aspect_ratio(self.base.getAspectRatio())

    # -- frame tasks ----------------------------------------------------------------
    def _render_or_arm_task(self, task):
        if self.engine.mode == "sync" and self.pipeline.dirty:
            # Sync mode: render the frame and infer it now, so that the window shows the
            # frame with its activations in this same frame (input -> shown activations
            # within one frame).
            self.engine.submit(self.pipeline.render_now(only_offscreen=True))
            return task.cont
        self.pipeline.before_render()  # arm the buffers: igLoop renders a changed scene
        return task.cont

    def _text_pass_task(self, task):
        self.text_pass.update()  # widgets made since the last frame: their text drawn last
        return task.cont

    def _capture_task(self, task):
        frame = self.pipeline.after_render()
        if frame is not None:
            self.engine.submit(frame)
        return task.cont

    def _infer_task(self, task):
        self.engine.submit()  # re-infers only if models or the view changed
        self.engine.poll()
        if self.featvis.ready():  # a requested visualisation finished on its thread
            self.activation_view.refresh_featvis()
            self.prediction_view.refresh_class_vis()
            self.redraw.request(units=False)
        return task.cont

    # -- running ---------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        for _ in range(n):
            self.base.taskMgr.step()

    def save_window_screenshot(self, path: Path) -> Path:
        from panda3d.core import Filename

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.step(2)  # arm -> render -> read back, then one more frame for the GUI,
        if self.engine.mode == "worker":  # with the results of the frame's own inference
            self.engine.wait_idle()
            self.step()  # handed to the views
        self.redraw.request()  # which is drawn whatever changed
        self.step()
        if not self.base.win.saveScreenshot(Filename.fromOsSpecific(str(path.resolve()))):
            raise RuntimeError(f"could not save the screenshot to {path}")
        return path

    def run(self) -> None:
        self.base.run()

    def destroy(self) -> None:
        for name in ("perturber-render-or-arm", "perturber-capture", "perturber-infer",
                     "perturber-text-pass", "perturber-models"):
            self.base.taskMgr.remove(name)
        self.trimmer.destroy()
        self.redraw.destroy()
        if self.gui_cache is not None:
            self.gui_cache.destroy()
        self._unwatch_mode()
        self.engine.destroy()
        self.slots.destroy()
        self.mouse.destroy()
        if self.path_dialog is not None:
            self.path_dialog.close()
        for tool in reversed(list(self.tools.values())):
            tool.destroy()
        for view in (self.activation_view, self.prediction_view, self.slots_view):
            view.destroy()
        self.featvis.destroy()
        self.groups.destroy()
        self.scene_panel.destroy()
        self.status_line.destroy()
        self.layout.destroy()
        self.controller.destroy()
        self.pipeline.destroy()
        self.base.destroy()
        self.collector.destroy()
