"""The sweep panel's tool: sweeps of the current scene in the app.

"Sweep..." in the Scene title bar opens ``ui.sweep_panel`` over the scene sliders (as
"Edit..." does). The panel picks one or two continuous parameters (start, stop, N),
the enabled slots' models, and a layer with channels. Run sends a ``game.batch.sweep``
probe job for the scene as shown (``SceneSpec.from_params``) to a Pool with one local
worker process (its own headless renderer, the same pipeline code), so the window
keeps drawing; a task polls the run every frame and, whenever results arrive, redraws
the heat map of each model (``plots.heatmap_image``: top-1 class per point, grey
where a point is still missing; one ``plots.Palette`` per run, so a class keeps its
colour in both models' maps and as points stream in; its name in the cells where it
fits) and the tuning curves of the first channels of the
first model (``plots.tuning_image``). Errors (a bad range, a channel the layer does
not have, a failed worker) are shown in the panel, never raised.

Actions ``sweep.panel``, ``sweep.run`` and ``sweep.cancel`` are named actions, so
the gamepad and a replay can use them; every control is a DirectGUI widget the
gamepad focus ring reaches.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from game.core.params import BY_NAME, PARAMS, ParamError
from game.core.parsers import parse_channels
from game.core.results import SLOT_TITLES
from game.core.stages import Stage
from ui.overlay_panel import PanelOwner

log = logging.getLogger(__name__)

TASK = "perturber-sweep"
MAX_POINTS = 400          # in the app; the CLI sweeps more
TUNING_SHOWN = 3          # channels whose tuning curves the panel shows
CELL = 24                 # heat map pixels per point (the panel scales it to fit)
PROBE_SLOTS = ("model1", "model2")  # registry models a worker process can load


def sweepable() -> list[str]:
    """The continuous scene parameters, in the parameter model's order."""
    return [p.name for p in PARAMS if p.scene and not p.integer]


@dataclass
class SweepForm:
    """What the panel's controls hold, as typed (strings are parsed by ``parse_form``)."""
    x: str = "yaw"
    x_range: tuple[str, str, str] = ("-90", "90", "5")
    y: str = "pitch"       # "" = a one-axis sweep
    y_range: tuple[str, str, str] = ("-40", "20", "5")
    slots: tuple[str, ...] = ("model1",)
    layer: str = ""        # "" = no channels
    channels: str = ""


@dataclass(frozen=True)
class Plan:
    """A parsed form: what to run."""
    axes: tuple
    slots: tuple[str, ...]
    layer: str | None
    channels: tuple[int, ...]

    @property
    def points(self) -> int:
        return math.prod(a.n for a in self.axes)


def _number(text: str, what: str, kind=float):
    try:
        return kind(str(text).strip())
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise ParamError(f"{what}: {text!r} is not {noun}") from None


def _axis(name: str, rng: tuple[str, str, str], which: str):
    from game.batch.sweep.grid import Axis

    if name not in BY_NAME:
        raise ParamError(f"{which}: choose a parameter")
    label = BY_NAME[name].label
    start = _number(rng[0], f"{which} ({label}) start")
    stop = _number(rng[1], f"{which} ({label}) stop")
    n = _number(rng[2], f"{which} ({label}) N", int)
    return Axis(name, start, stop, n)  # ParamError: out of range, N < 1


def parse_form(form: SweepForm, channel_count: Callable[[str], int | None] = lambda _l: None
               ) -> Plan:
    """The form as a plan; ParamError with a message for the panel if it is not one."""
    axes = [_axis(form.x, form.x_range, "X")]
    if form.y:
        if form.y == form.x:
            raise ParamError("X and Y are the same parameter: choose another Y (or none)")
        axes.append(_axis(form.y, form.y_range, "Y"))
    plan = Plan(tuple(axes), tuple(form.slots), form.layer or None,
                parse_channels(form.channels, channel_count(form.layer)) if form.layer else ())
    if not plan.slots:
        raise ParamError("choose at least one model")
    if plan.points > MAX_POINTS:
        raise ParamError(f"{plan.points} points: at most {MAX_POINTS} in the app "
                         "(`perturber sweep` runs bigger grids)")
    return plan


def thumb_size(axes) -> int:
    """Thumbnail side for the tuning curves: the grid's image about 160 px on its long side."""
    n = max(a.n for a in axes)
    return int(min(48, max(8, 160 // n)))


def chunk_size(points: int) -> int:
    """Points per worker call: partial results about every tenth of the run."""
    return int(min(16, max(1, math.ceil(points / 10))))


@dataclass
class Shown:
    """What the panel shows of a run (tests read it)."""
    heatmaps: list = field(default_factory=list)   # (title, image, legend)
    labels: list = field(default_factory=list)     # per heat map: its cells' class names
    tunings: list = field(default_factory=list)    # (title, image)
    finished: int = -1


class SweepTool(PanelOwner):
    def __init__(self, ctx):
        from game.batch.sweep.executor import Pool
        from ui import theme
        from ui.widgets import button

        self.ctx, self.params, self.slots = ctx, ctx.params, ctx.slots
        self.cover = ctx.dock.over_sliders
        self.pool_factory = lambda: Pool("local", workers=1, threads=1,
                                         inference=ctx.slots.backend)
        self.pool = None
        # slot -> model spec for the worker (tests: a tiny "py:" model); None: not probed
        self.spec_of: Callable[[str], str | None] = self._registry_spec
        # the model whose layers the Layer menu offers (the first probed model's)
        self.layer_model: Callable[[], object | None] = self._model1
        self.panel = None
        self.form = SweepForm(layer=str(self.params["layer"]))
        self.run = None
        self.plan: Plan | None = None
        self.job = None
        self.specs: tuple[str, ...] = ()
        self.started = 0.0
        self.seconds = 0.0
        self.shown = Shown()
        self.palette = None  # the run's class colours (a plots.Palette)
        self.message = ""
        w, h = theme.px(72), theme.px(22)
        x = theme.LEFT_W - theme.PAD - theme.px(64) - theme.px(8) - w  # left of "Rec"
        self.button = button(ctx.dock.scene_column, "Sweep\u2026",
                             lambda: self._do("sweep.panel"),
                             (x, -(theme.TITLE_H - h) / 2), w, h, scale=theme.SMALL_SCALE)
        for name, fn in (("sweep.panel", self.toggle_panel), ("sweep.run", self.start),
                         ("sweep.cancel", self.cancel)):
            ctx.actions.add(name, fn)
        ctx.add_task(Stage.SWEEP, self._task, TASK)

    def _do(self, name: str):
        return self.ctx.actions.do(name)

    # -- models and layers ------------------------------------------------------------
    def _registry_spec(self, slot: str) -> str | None:
        from game.tools.sensitivity.tool import slot_spec

        loaded = self.slots.loaded.get(slot)
        return slot_spec(loaded) if loaded is not None else None

    def slot_choices(self) -> list[tuple[str, str, bool]]:
        """(slot, title, available) of the slots a worker can probe."""
        out = []
        for slot in PROBE_SLOTS:
            loaded = self.slots.loaded.get(slot)
            title = f"{SLOT_TITLES[slot]}: {loaded.title}" if loaded else SLOT_TITLES[slot]
            ok = self.params.flag(f"{slot}_enabled") and self.spec_of(slot) is not None
            out.append((slot, title, ok))
        return out

    def _model1(self):
        loaded = self.slots.loaded.get("model1")
        return loaded.model if loaded is not None else None

    def layers(self) -> list[str]:
        m = self.layer_model()
        return [layer.name for layer in m.layers] if m is not None else []

    def channel_count(self, layer: str) -> int | None:
        m = self.layer_model()
        found = [lay.channels for lay in (m.layers if m is not None else ()) if lay.name == layer]
        return found[0] if found else None

    def shown_channels(self) -> tuple[int, ...]:
        """The channels the activation view shows for Model 1 now (the default)."""
        return self.ctx.dock.activations.shown_channels("model1")

    # -- the panel ---------------------------------------------------------------------
    def open_panel(self):
        from ui.sweep_panel import SweepPanel

        if self.panel is None:
            parent, w, h, pos = self.cover.frame()
            if not self.form.channels:
                self.form.channels = ", ".join(str(c) for c in self.shown_channels()[:4])
            self.panel = SweepPanel(parent, w, h, pos, sweepable(), self.form,
                                    on_run=lambda: self._do("sweep.run"),
                                    on_cancel=lambda: self._do("sweep.cancel"),
                                    on_close=lambda: self.cover.closed(self.panel))
        self.panel.set_models(self.slot_choices())
        self.panel.set_layers(self.layers())
        self.cover.open(self.panel)  # one panel over the sliders at a time
        self._show_state()
        return self.panel

    # -- running -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.run is not None and not self.run.done

    def start(self) -> bool:
        """Run the panel's sweep in the background. False: refused (message in the panel)."""
        from game.tools.sensitivity.tool import custom_glsl
        from game.batch.sweep.grid import grid_points
        from game.batch.sweep.job import ProbeJob, SceneSpec
        if self.panel is None or not self.panel.is_open:
            self.open_panel()
        self.form = self.panel.read_form()
        try:
            plan = parse_form(self.form, self.channel_count)
            specs = []
            for slot in plan.slots:
                spec = self.spec_of(slot)
                if spec is None or not self.params.flag(f"{slot}_enabled"):
                    raise ParamError(f"{SLOT_TITLES[slot]} is not enabled and loaded")
                specs.append(spec)
            scene = SceneSpec.from_params(self.params, custom_glsl(self.ctx.custom_snippet()))
            job = ProbeJob(scene=scene, models=tuple(specs), layer=plan.layer,
                           channels=plan.channels, top=5, thumb=thumb_size(plan.axes),
                           batch=chunk_size(plan.points))
            points = grid_points(plan.axes)
        except (ParamError, ValueError) as exc:
            self._set_message(str(exc), error=True)
            return False
        self.cancel(quiet=True)
        if self.pool is None:
            self.pool = self.pool_factory()
        from game.batch.sweep.plots import Palette

        self.plan, self.job, self.specs = plan, job, tuple(specs)
        self.shown = Shown()
        self.palette = Palette()
        self.started, self.seconds = time.perf_counter(), 0.0
        self.run = self.pool.start(job, points, chunk=job.batch)
        self._set_message(f"running {plan.points} points...", error=False)
        self._show_state()
        return True

    def cancel(self, quiet: bool = False) -> bool:
        """Stop the running sweep (the results so far stay shown)."""
        if not self.running:
            return False
        self.run.cancel()
        if not quiet:
            self._set_message(f"cancelled after {self.run.finished} of {self.run.total} points",
                              error=False)
        self.run = None
        self._show_state()
        return True

    def _task(self, task):
        run = self.run
        if run is None:
            return task.cont
        done = run.done  # before the count: every result is in when it says so
        finished = run.finished
        if finished != self.shown.finished:
            self._show_results(run.partial(), finished)
        if done:
            self.seconds = time.perf_counter() - self.started
            self.run = None
            if run.error is not None:
                log.warning("sweep failed: %s", run.error)
                self._set_message(f"sweep failed: {run.error}", error=True)
            else:
                rate = run.total / self.seconds if self.seconds > 0 else 0.0
                self._set_message(f"done: {run.total} points in {self.seconds:.1f} s "
                                  f"({rate:.1f} points/s)", error=False)
                log.info("sweep of %d points in %.2f s", run.total, self.seconds)
        self._show_state(run)
        return task.cont

    # -- showing -------------------------------------------------------------------------
    def _show_results(self, results: list, finished: int) -> None:
        from game.batch.sweep.plots import (heatmap_image, heatmap_labels, heatmap_legend,
                                            tuning_image)

        axes, job = list(self.plan.axes), self.job
        shown = Shown(finished=finished)
        try:
            for slot, spec in zip(self.plan.slots, self.specs):
                loaded = self.slots.loaded.get(slot)
                title = f"{SLOT_TITLES[slot]}" + (f": {loaded.title}" if loaded else "")
                image = heatmap_image(results, axes, spec, CELL, self.palette)
                shown.heatmaps.append((title, image, heatmap_legend(results, spec, self.palette)))
                shown.labels.append(heatmap_labels(results, axes, spec))
            if job.channels and job.thumb:
                layer = next((r.layers.get(self.specs[0]) for r in results
                              if r.layers.get(self.specs[0])), job.layer)
                for pos, ch in enumerate(job.channels[:TUNING_SHOWN]):
                    shown.tunings.append((f"{layer} #{ch}",
                                          tuning_image(results, axes, self.specs[0], pos)))
        except Exception as exc:  # a picture that cannot be drawn must not stop the window
            log.exception("sweep pictures")
            self._set_message(f"could not draw the results: {exc}", error=True)
            return
        self.shown = shown
        if self.panel is not None:
            self.panel.show_results(shown.heatmaps, shown.tunings, _axes_text(axes),
                                    shown.labels)

    def _set_message(self, text: str, error: bool) -> None:
        self.message = text
        if self.panel is not None:
            self.panel.set_message(text, error)

    def _show_state(self, run=None) -> None:
        if self.panel is None:
            return
        run = run or self.run
        if run is not None:
            elapsed = (time.perf_counter() - self.started) if run is self.run else self.seconds
            self.panel.set_progress(run.finished, run.total, elapsed, self.running)
        else:
            self.panel.set_progress(0, 0, 0.0, False)

    def destroy(self) -> None:
        self.ctx.remove_task(TASK)
        if self.run is not None:
            self.run.cancel()
            self.run = None
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        self.destroy_panel()
        self.button.destroy()


def _axes_text(axes: Sequence) -> tuple[str, str]:
    """(along the columns, down the rows) captions of the pictures."""
    def one(a):
        return f"{BY_NAME[a.name].label} {a.start:g} to {a.stop:g}, {a.n} steps"
    if len(axes) == 1:
        return one(axes[0]), ""
    return one(axes[1]), one(axes[0])


def attach(ctx) -> SweepTool:
    return SweepTool(ctx)
