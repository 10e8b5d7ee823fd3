"""Plays a recording back into a PerturberApp.

:func:`initial_params` gives the header's snapshot as a ParamState (build the app
with it). :class:`Player` applies events: parameters through ``params.update`` (the ones
next to each other at once, as the app changed them), actions through
``app.actions.do``, focus as the ``perturber-focus`` event; ``frame`` events are checked
against the app's latest inference result.

Headless (:func:`verify`): events in order as fast as possible; at each ``frame``
event the app steps until a new inference result arrives (or ``MAX_STEPS`` frames
pass: a recorded re-inference of the same image, e.g. after neuron groups arrived,
gives no new result here) and compares it. Image digests are compared only when the
header's GL renderer equals this machine's (llvmpipe and a GPU rasterise differently);
the top-5 indices always, probabilities within ``PROB_TOL``. Frames recorded in the
``worker`` inference mode arrive late by an unknown number of events, so they are
counted but not compared.

Live (:func:`play_live`): a task applies each event when its time (divided by
``speed``) has come; frame digests are not compared there (the window may be a
frame behind the event times).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from game.core.params import ParamError, ParamState
from game.core.stages import Stage
from game.tools.recording import format as fmt
from game.tools.recording.recorder import FOCUS_EVENT, renderer_of

log = logging.getLogger(__name__)

MAX_STEPS = 6
PROB_TOL = 2e-3


def initial_params(rec: fmt.Recording) -> ParamState:
    """The header's snapshot; values this app does not know are left out (reported)."""
    params = ParamState()
    bad = []
    for name, value in rec.header["params"].items():
        try:
            params.set(name, value)
        except ParamError as exc:
            bad.append(str(exc))
    if bad:
        rec.skipped.extend(f"header: {m} (left at its default)" for m in bad)
    return params


@dataclass
class Report:
    events: int = 0                # events applied
    frames: int = 0                # frame events compared
    unchecked: int = 0             # frame events not compared (worker mode)
    images_compared: bool = True
    mismatch: str | None = None    # the first mismatch
    mismatches: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self, rec: fmt.Recording) -> str:
        lines = [f"{rec.path}: {self.events} events applied over {rec.duration:.2f} s, "
                 f"{self.frames} frame digests matched"
                 + (f", {self.unchecked} not compared (worker mode or live replay)" if self.unchecked else "")
                 + ("" if self.images_compared else
                    " (top-5 only: recorded on another renderer, image digests not compared)")]
        lines += [f"warning: {w}" for w in rec.skipped + self.warnings]
        if rec.damage:
            lines.append(f"damaged recording: {rec.damage}")
        if self.mismatch:
            lines.append(f"MISMATCH ({self.mismatches} in all): {self.mismatch}")
        return "\n".join(lines)


class Player:
    def __init__(self, app, rec: fmt.Recording, stop_at_mismatch: bool = True):
        self.app = app
        self.rec = rec
        self.report = Report()
        self.stop_at_mismatch = stop_at_mismatch
        self.report.images_compared = renderer_of(app.base.win) == rec.header.get("renderer")
        self._models_warned = False
        self._check_models(rec.header.get("models") or {}, "header")
        glsl = rec.header.get("custom_glsl")
        if glsl and glsl != app.pipeline.custom.snippet:
            error = app.pipeline.set_custom_snippet(glsl)
            if error:
                self.report.warnings.append(f"header: the recorded custom GLSL does not compile "
                                            f"here: {error}")

    def apply(self, index: int) -> None:
        """Apply event ``index`` (not ``frame`` events: see :meth:`check_frame`)."""
        event = self.rec.events[index]
        kind = event["kind"]
        self.report.events += 1
        try:
            if kind == "param":
                self.app.params.set(event["name"], event["value"])
            elif kind == "action":
                if event["name"] not in self.app.actions:
                    self._warn(index, f"action {event['name']!r} does not exist in this app")
                else:
                    self.app.actions.do(event["name"])
            elif kind == "custom":
                error = self.app.pipeline.set_custom_snippet(event["code"])
                if error:
                    self._warn(index, f"the recorded custom GLSL does not compile here: {error}")
            elif kind == "focus":
                self.app.base.messenger.send(FOCUS_EVENT, [event.get("target", "")])
            elif kind == "models":
                self._check_models({s: {"key": k} if k else None
                                    for s, k in event["models"].items()}, self._where(index))
        except (ParamError, KeyError, TypeError) as exc:
            self._warn(index, f"could not apply {kind} event: {exc}")

    def apply_many(self, indices) -> None:
        """Apply the events ``indices`` (no ``frame`` events) in order. Parameter events
        next to each other go in one ``params.update``, as the app made them: a model is
        picked with the checkpoint that comes with it, and hearing the model alone with
        the old checkpoint would fail to load it."""
        batch: list[int] = []
        for index in [*indices, None]:
            if index is not None and self.rec.events[index]["kind"] == "param":
                batch.append(index)
                continue
            if len(batch) > 1:
                self._apply_params(batch)
            elif batch:
                self.apply(batch[0])
            batch = []
            if index is not None:
                self.apply(index)

    def _apply_params(self, batch: list[int]) -> None:
        events = [self.rec.events[i] for i in batch]
        try:
            values = [(e["name"], e["value"]) for e in events]
            self.app.params.update(values)  # all checked before any is applied
        except (ParamError, KeyError, TypeError):
            for index in batch:  # one by one: the bad ones are reported, the rest applied
                self.apply(index)
            return
        self.report.events += len(batch)

    def check_frame(self, index: int, result) -> bool:
        """Compare frame event ``index`` with ``result``; False on a mismatch."""
        event = self.rec.events[index]
        if event.get("mode") == "worker":
            self.report.unchecked += 1
            return True
        problem = self._compare(event, result)
        if problem is None:
            self.report.frames += 1
            return True
        self.report.mismatches += 1
        if self.report.mismatch is None:
            self.report.mismatch = f"event {index} ({self._where(index)}): {problem}"
        return False

    # -- internals ----------------------------------------------------------------------
    def _compare(self, event: dict, result) -> str | None:
        if result is None:
            return "no inference result at all"
        if self.report.images_compared:
            got = fmt.image_digest(result.image)
            if got != event.get("image"):
                return f"network input digest {got} != recorded {event.get('image')}"
        tops = {o.slot: fmt.top_digest(o.top) for o in result.outputs}
        want = event.get("top") or {}
        if set(tops) != set(want):
            return f"slots {sorted(tops)} != recorded {sorted(want)}"
        for slot, rows in want.items():
            got = tops[slot]
            if (rows is None) != (got is None):
                return f"{slot}: predictions {'on' if got else 'off'}, recorded the other way"
            if rows is None:
                continue
            if [r[0] for r in got] != [r[0] for r in rows]:
                return f"{slot}: top-5 {[r[0] for r in got]} != recorded {[r[0] for r in rows]}"
            worst = max(abs(a[1] - b[1]) for a, b in zip(got, rows))
            if worst > PROB_TOL:
                return f"{slot}: a top-5 probability differs by {worst:.4f}"
        return None

    def _check_models(self, models: dict, where: str) -> None:
        here = {s: None if m is None else m.key for s, m in self.app.slots.loaded.items()}
        for slot, m in models.items():
            want = None if not m else m.get("key")
            if want and here.get(slot) and here.get(slot) != want and not self._models_warned:
                self._models_warned = True
                self.report.warnings.append(
                    f"{where}: {slot} has weights {here.get(slot)}, recorded with {want}: "
                    "predictions will differ")

    def _where(self, index: int) -> str:
        return f"line {self.rec.lines[index]}, t={self.rec.events[index]['t']:.3f} s"

    def _warn(self, index: int, message: str) -> None:
        self.report.warnings.append(f"{self._where(index)}: {message}")


def verify(app, rec: fmt.Recording) -> Report:
    """Headless replay: every event in order, every frame digest checked; stops at the
    first mismatch."""
    player = Player(app, rec)
    engine = app.engine
    pending: list[int] = []  # the events since the last frame
    for index, event in enumerate(rec.events):
        if event["kind"] != "frame":
            pending.append(index)
            continue
        player.apply_many(pending)
        pending = []
        before = engine.result
        for _ in range(MAX_STEPS):
            app.step()
            if engine.mode == "worker":
                engine.wait_idle()
                engine.poll()
            if engine.result is not before:
                break
        if not player.check_frame(index, engine.result):
            return player.report
    player.apply_many(pending)
    return player.report


def play_live(app, rec: fmt.Recording, speed: float = 1.0, on_done=None) -> Player:
    """Adds a task that applies the events in real time (scaled by ``speed``)."""
    player = Player(app, rec, stop_at_mismatch=False)
    start = time.monotonic()
    state = {"next": 0}

    def task(task):
        now = (time.monotonic() - start) * speed
        i, due = state["next"], []
        while i < len(rec.events) and rec.events[i]["t"] <= now:
            if rec.events[i]["kind"] == "frame":
                player.report.unchecked += 1  # live: the window may be a frame behind
            else:
                due.append(i)
            i += 1
        player.apply_many(due)
        state["next"] = i
        if i >= len(rec.events):
            if on_done:
                on_done(player.report)
            return task.done
        return task.cont

    app.base.taskMgr.add(task, "perturber-replay", sort=Stage.REPLAY)
    return player
