"""Sensitivity at each control: d(top class logit) / d(parameter).

For the scene as the app shows it, the class the first enabled model (Model 1, else
Model 2) ranks first is held fixed and its logit is differentiated numerically with
respect to every continuous scene parameter (camera included): central differences
``(f(x + h) - f(x - h)) / 2h`` with ``h`` = 2 % of the parameter's range, one-sided
``(f(x + h) - f(x)) / h`` at a bound. A parameter whose two renders are identical gets
exactly 0, whatever the network's arithmetic does with batches.

The renders and forward passes run in a worker process (``game.batch.sweep``'s Pool: one
local process with its own headless renderer and the same pipeline code), started once
the parameters have not changed for ``DEBOUNCE_S``; a run made stale by a newer change
is cancelled. Integer parameters (Patch Shuffling) have no derivative and get no bar.

``plan`` and ``derivatives`` are the computation (no GUI); ``SensitivityTool`` (the
app tool, ``attach(ctx)``) keeps the bars beside the scene sliders up to date.
"""
from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from game.core.params import BY_NAME, LINKED, PARAMS, SCENE_NAMES, Param
from game.core.stages import Stage

log = logging.getLogger(__name__)

STEP = 0.02          # h = STEP * (max - min)
DEBOUNCE_S = 0.5     # quiet time after the last change before a run starts
CHUNK = 8            # points per worker call: a stale run stops within one chunk
TASK = "perturber-sensitivity"
FLAG = "show_sensitivity"


def probed_params() -> list[Param]:
    """The continuous scene parameters, in the parameter model's order."""
    return [p for p in PARAMS if p.scene and not p.integer]


def step_of(p: Param) -> float:
    return STEP * (p.max - p.min)


@dataclass(frozen=True)
class Stencil:
    """Where parameter ``name`` is evaluated: points ``i_lo`` (value ``lo``) and ``i_hi``
    (``hi``); one of them is point 0 (the scene as it is) at a bound."""
    name: str
    x: float
    lo: float
    hi: float
    i_lo: int
    i_hi: int

    @property
    def one_sided(self) -> bool:
        return self.lo == self.x or self.hi == self.x


def _point(values: Mapping[str, float], name: str, v: float) -> dict[str, float]:
    """A point moving ``name`` to ``v``; a linked control (Overall morph) moves its
    followers by the same amount, as its slider does."""
    point = {name: v}
    for follower in LINKED.get(name, ()):
        p = BY_NAME[follower]
        point[follower] = min(max(values[follower] + v - values[name], p.min), p.max)
    return point


def plan(values: Mapping[str, float], names: Sequence[str] | None = None
         ) -> tuple[list[dict[str, float]], list[Stencil]]:
    """The points to render (point 0: no change) and, per parameter, which two to difference."""
    names = [p.name for p in probed_params()] if names is None else list(names)
    points: list[dict[str, float]] = [{}]
    stencils = []
    for name in names:
        p = BY_NAME[name]
        x, h = float(values[name]), step_of(p)
        lo, hi = max(x - h, p.min), min(x + h, p.max)
        idx = []
        for v in (lo, hi):
            if v == x:
                idx.append(0)
            else:
                idx.append(len(points))
                points.append(_point(values, name, v))
        stencils.append(Stencil(name, x, lo, hi, idx[0], idx[1]))
    return points, stencils


@dataclass(frozen=True)
class Sensitivity:
    """The derivatives of one model's top-class logit at one scene."""
    model: str                     # the model spec that was probed
    cls: int                       # the class held fixed (top-1 at the scene)
    label: str
    logit: float                   # its logit at the scene
    d: dict[str, float]            # d logit / d parameter, per unit of the parameter
    one_sided: frozenset = field(default_factory=frozenset)
    seconds: float = 0.0           # wall time of the run

    def span(self, name: str) -> float:
        """The linear change of the logit over the slider's whole range (comparable
        between parameters of different units: degrees, pixels, fractions)."""
        p = BY_NAME[name]
        return self.d[name] * (p.max - p.min)

    def largest_span(self) -> float:
        return max((abs(self.span(n)) for n in self.d), default=0.0)


def derivatives(results, stencils: Sequence[Stencil], model: str,
                seconds: float = 0.0) -> Sensitivity:
    """``results``: the PointResults of ``plan``'s points in point order (with logits,
    and thumbnails when identical renders must give exactly 0)."""
    base = results[0]
    top = base.top[model][0]
    cls = int(top["index"])
    logit = [float(r.logits[model][cls]) for r in results]
    d, one_sided = {}, set()
    for s in stencils:
        a, b = results[s.i_lo], results[s.i_hi]
        same = a.thumb is not None and b.thumb is not None and np.array_equal(a.thumb, b.thumb)
        d[s.name] = 0.0 if same else (logit[s.i_hi] - logit[s.i_lo]) / (s.hi - s.lo)
        if s.one_sided:
            one_sided.add(s.name)
    return Sensitivity(model, cls, str(top.get("label", cls)), logit[0], d,
                       frozenset(one_sided), seconds)


def make_job(scene, model: str):
    """The probe job: all logits, and the full frame so identical renders are seen."""
    from game.batch.sweep.job import ProbeJob

    return ProbeJob(scene=scene, models=(model,), top=1, keep_logits=True, thumb=224,
                    batch=CHUNK)


def compute(pool, scene, model: str, names: Sequence[str] | None = None) -> Sensitivity:
    """Synchronously (CLI, tests): the sensitivity of ``model`` at ``scene``."""
    start = time.perf_counter()
    points, stencils = plan(dict(scene.values), names)
    results = pool.map(make_job(scene, model), points, chunk=CHUNK)
    return derivatives(results, stencils, model, time.perf_counter() - start)


@functools.lru_cache(maxsize=1)
def _default_snippet() -> str:
    from game.render.post.custom import default_snippet

    return default_snippet()


def custom_glsl(snippet: str) -> str | None:
    """The custom GLSL ``snippet`` for a SceneSpec (None: the built-in one)."""
    return None if snippet == _default_snippet() else snippet


def slot_spec(loaded) -> str:
    """The registry spec of a loaded slot's weights ("NAME" or "NAME@ITERATION")."""
    return loaded.name if not loaded.checkpoint else f"{loaded.name}@{loaded.checkpoint}"


class SensitivityTool:
    """Keeps the bars beside the scene sliders up to date while ``show_sensitivity`` is on.

    ``model_spec`` (None: the first enabled registry slot) and ``pool_factory`` can be
    replaced (tests: a tiny model)."""

    def __init__(self, ctx, clock: Callable[[], float] = time.monotonic):
        from game.batch.sweep.executor import Pool
        from ui.sensitivity_bars import SensitivityBars, SensitivityHeader

        self.ctx, self.params, self.slots, self.clock = ctx, ctx.params, ctx.slots, clock
        self.model_spec: str | None = None
        self.pool_factory = lambda: Pool("local", workers=1, threads=1,
                                         inference=ctx.slots.backend)
        self.pool = None
        self.result: Sensitivity | None = None
        self.state = "off"          # off, computing, done, error, unavailable
        self.message = ""
        self.runs = 0               # runs started (tests, logs)
        self._run = None            # (Run, key, stencils, start time)
        self._shown_key = None
        self._changed_at = clock()
        self._dirty = True
        self._slots_version = self.slots.version
        self._snippet = ctx.custom_snippet()
        self.bars = SensitivityBars(ctx.dock.scene_sliders, ctx.dock.gui_root)
        self.header = SensitivityHeader(ctx.dock.scene_column, self.params)
        self._unwatch = [self.params.watch(SCENE_NAMES, self._scene_changed),
                         self.params.watch(FLAG, self._switched)]
        ctx.actions.add("sensitivity.toggle",
                        lambda: self.params.set(FLAG, 0 if self.params.flag(FLAG) else 1))
        ctx.actions.add("sensitivity.update", self.update_now)
        ctx.add_task(Stage.SENSITIVITY, self._task, TASK)
        self._show()

    # -- what is probed ------------------------------------------------------------------
    def spec(self) -> str | None:
        if self.model_spec:
            return self.model_spec
        for slot in ("model1", "model2"):
            loaded = self.slots.loaded[slot]
            if loaded is not None and self.params.flag(f"{slot}_enabled"):
                return slot_spec(loaded)
        return None

    def key(self):
        from game.batch.sweep.job import SceneSpec

        return (SceneSpec.from_params(self.params, custom_glsl(self.ctx.custom_snippet())),
                self.spec())

    # -- changes ---------------------------------------------------------------------------
    def _scene_changed(self, _name: str, _value) -> None:
        self._touch()
        self.bars.set_stale(True)  # dim at once; the numbers follow when settled

    def _switched(self, _name: str, _value) -> None:
        if not self.params.flag(FLAG):
            self._cancel()
        self._touch()
        self._show()

    def _touch(self) -> None:
        self._dirty = True
        self._changed_at = self.clock()

    def update_now(self) -> None:
        """Recompute now, without waiting for the changes to settle."""
        self._dirty = True
        self._changed_at = self.clock() - DEBOUNCE_S

    # -- the background run ----------------------------------------------------------------
    def _task(self, task):
        if self.slots.version != self._slots_version:
            self._slots_version = self.slots.version
            self._touch()
        snippet = self.ctx.custom_snippet()
        if snippet is not self._snippet:  # new custom GLSL changes the frame, not a parameter
            self._snippet = snippet
            self._touch()
        if not self.params.flag(FLAG):
            return task.cont
        self._poll()
        if self._dirty and self.clock() - self._changed_at >= DEBOUNCE_S:
            self._start()
        return task.cont

    def _start(self) -> None:
        self._dirty = False
        self._cancel()
        key = self.key()
        scene, spec = key
        if spec is None:
            self.state, self.message = "unavailable", (
                "sensitivity needs Model 1 or Model 2 enabled")
            self._show()
            return
        if key == self._shown_key and self.result is not None:
            self.state = "done"  # back where we were: nothing to compute
            self._show()
            return
        if self.pool is None:
            self.pool = self.pool_factory()
        points, stencils = plan(dict(scene.values))
        run = self.pool.start(make_job(scene, spec), points, chunk=CHUNK)
        self._run = (run, key, stencils, time.perf_counter())
        self.runs += 1
        self.state, self.message = "computing", ""
        self._show()

    def _poll(self) -> None:
        if self._run is None:
            return
        run, key, stencils, start = self._run
        if not run.done:
            self.message = f"{run.finished}/{run.total}"
            self.header.set_status(self._status_text(), busy=True)
            return
        self._run = None
        if run.error is not None:
            self.state, self.message = "error", f"sensitivity failed: {run.error}"
            log.warning("%s", self.message)
        elif run.finished != run.total:
            self.state, self.message = "error", f"sensitivity: {run.finished}/{run.total} points"
        else:
            try:
                self.result = derivatives(run.partial(), stencils, key[1],
                                          time.perf_counter() - start)
                self._shown_key = key
                self.state, self.message = "done", ""
                log.info("sensitivity of %s in %.2f s", self.result.label, self.result.seconds)
            except Exception as exc:  # a broken result must not take the window down
                self.state, self.message = "error", f"sensitivity failed: {exc}"
        self._show()

    def _cancel(self) -> None:
        if self._run is not None:
            self._run[0].cancel()
            self._run = None

    @property
    def busy(self) -> bool:
        return self._run is not None

    @property
    def stale(self) -> bool:
        """The bars do not show the current scene (yet)."""
        return self.busy or self._dirty or self._shown_key != self.key()

    # -- view --------------------------------------------------------------------------------
    def _status_text(self) -> str:
        on = self.params.flag(FLAG)
        if not on:
            return ""
        if self.state == "computing":
            return f"sensitivity: computing {self.message}"
        if self.state in ("error", "unavailable"):
            return self.message
        if self.result is not None:
            r = self.result
            return f"d logit({r.label}) / d slider  {r.seconds:.1f} s"
        return "sensitivity: waiting for the scene to settle"

    def _show(self) -> None:
        on = self.params.flag(FLAG)
        self.bars.set_visible(on)
        if on and self.result is not None:
            self.bars.show(self.result, stale=self.stale)
        elif on:
            self.bars.clear()
        self.header.set_status(self._status_text(), busy=self.state == "computing",
                               error=self.state in ("error", "unavailable"))

    def destroy(self) -> None:
        self.ctx.remove_task(TASK)
        for unwatch in self._unwatch:
            unwatch()
        self._cancel()
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        self.bars.destroy()
        self.header.destroy()


def attach(ctx) -> SensitivityTool:
    return SensitivityTool(ctx)
