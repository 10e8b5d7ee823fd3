"""What a tool gets of the running app: a :class:`ToolContext`, never the app itself.

Every tool module has ``attach(ctx: ToolContext) -> tool`` (the tool has ``destroy()``).
The composition root (``game.app.root``) builds one context once the views exist and
attaches the tools with it, in the order of its ``TOOLS`` table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

from game.core.signals import Signal
from game.core.stages import Stage

if TYPE_CHECKING:
    from panda3d.core import GraphicsWindow, NodePath

    from game.app.actions import Actions
    from game.app.engine import InferenceEngine
    from game.app.slots import ModelSlots
    from game.core.params import ParamState
    from game.core.results import InferenceResult
    from game.render.controller import SceneController
    from game.render.pipeline import Frame
    from game.tools.featvis.service import FeatureVisService
    from ui.activation_view import ActivationView
    from ui.feat_vis_plane import FeatVisRow
    from ui.layout import Column
    from ui.overlay_panel import SliderCover
    from ui.prediction_view import PredictionView
    from ui.slider import ParamSlider
    from ui.slots_view import ModelSlotsView


@dataclass(frozen=True)
class Dock:
    """The places in the window where tools put their widgets."""
    gui_root: NodePath                    # over everything (aspect2d): focus ring, help
    scene_column: NodePath                # the Scene column: small buttons in its title row
    models_column: NodePath               # the Models column: small buttons in its title row
    scene_view: NodePath                  # the square scene view: pictures over the frame
    predictions: Column                   # the Predictions column: a panel under the view
    prediction_view: PredictionView       # shrinks to make room for that panel
    slot_rows: ModelSlotsView             # a button and a status line on a model slot's row
    activations: ActivationView           # feature-visualisation status; the shown channels
    feat_vis_row: FeatVisRow              # the Feat. Vis. row's status
    scene_sliders: dict[str, ParamSlider]  # the scene sliders: bars beside them
    over_sliders: SliderCover             # one panel at a time over the scene sliders
    columns: Sequence[Column]             # left to right: the gamepad's focus columns


class Inference:
    """What tools see of the inference engine."""

    def __init__(self, engine: InferenceEngine, results: Signal):
        self._engine = engine
        self.results = results  # fn(InferenceResult) after the views showed a new result
        # f(frame) -> frame, in order, before inference (the attack swaps in its image)
        self.filters: list[Callable[[Frame], Frame]] = engine.input_filters

    @property
    def latest(self) -> InferenceResult | None:
        return self._engine.result

    @property
    def mode(self) -> str:
        """"sync" or "worker"."""
        return self._engine.mode

    def wait_idle(self) -> None:
        """Worker mode: block until the inference thread is done, so that a tool may run
        the models on the main thread without its hooks seeing that pass."""
        if self._engine.mode == "worker":
            self._engine.wait_idle()


class ToolContext:
    """The narrow view of the app a tool attaches to."""

    def __init__(self, *, task_mgr, params: ParamState, slots: ModelSlots,
                 featvis: FeatureVisService, scene: SceneController, inference: Inference,
                 actions: Actions, dock: Dock, window: GraphicsWindow,
                 frame: Callable[[], Frame | None], custom_snippet: Callable[[], str],
                 custom_changed: Signal,
                 scene_clicks: Signal, show_error: Callable[..., None],
                 show_note: Callable[[str, object], None]):
        self._task_mgr = task_mgr
        self.params = params
        self.slots = slots                    # the loaded models (and the Edited Model)
        self.featvis = featvis                # feature visualisations, made on a thread
        self.scene = scene                    # Feat. Vis. plane, the preferred camera
        self.inference = inference
        self.actions = actions                # named actions: buttons, pad, keys, replay
        self.dock = dock
        self.window = window                  # its size and GL renderer
        self.frame = frame                    # the last frame rendered (None before one)
        self.custom_snippet = custom_snippet  # the custom GLSL the post chain runs now
        self.custom_changed = custom_changed  # fn(code) when a new snippet takes effect
        self.scene_clicks = scene_clicks      # fn() on a click (no drag) in the scene view
        # show_error(message, near=None): the log; with ``near`` (the widget that failed)
        # the window's one status line under it. A tool that shows the message on a
        # status line of its own (its panel's) passes no ``near``.
        self.show_error = show_error
        # show_note(message, near): news that is no error (a job that started) on the
        # window's status line under ``near``, unless an error is shown there.
        self.show_note = show_note

    def add_task(self, stage: Stage, fn, name: str) -> None:
        """Run ``fn(task)`` every frame at ``stage`` (see ``game.core.stages``)."""
        self._task_mgr.add(fn, name, sort=stage)

    def remove_task(self, name: str) -> None:
        self._task_mgr.remove(name)
