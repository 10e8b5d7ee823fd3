"""The kiosk's attract loop: a keyframed tour of parameter changes and actions.

A tour (``game/app/input/tour.json``) is a list of steps played one after another; ``TourPlayer``
maps a time since the start onto them, so a fake clock drives it in tests. Every
value is validated against the parameter model when the tour loads.

A step's ``caption`` is shown from that step on until another step gives one ("" clears
it; a new lap starts without one). ``{model1}`` and ``{model2}`` in it stand for what
the slot holds (its registry title), filled in by whoever shows the caption.
"""
from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from pathlib import Path

from game.core.params import BY_NAME, ParamError, ParamState

DEFAULT_TOUR = Path(__file__).with_name("tour.json")
PLACEHOLDERS = ("model1", "model2")  # {model1} / {model2} in a caption


class TourError(ValueError):
    """A tour file the kiosk refuses; the message says which step and why."""


@dataclass(frozen=True)
class Step:
    start: float
    seconds: float
    set: dict = field(default_factory=dict)
    ramp: dict = field(default_factory=dict)
    action: str = ""
    repeat: int = 1
    every: float = 0.0
    caption: str | None = None  # None: the caption shown stays


@dataclass(frozen=True)
class Tour:
    steps: tuple[Step, ...]
    duration: float


def load_tour(path: str | Path | None = None) -> Tour:
    path = Path(path or DEFAULT_TOUR)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TourError(f"tour {path}: {exc}") from None
    return parse_tour(data, str(path))


def parse_tour(data, source: str = "<tour>") -> Tour:
    raw = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise TourError(f"tour {source}: expected {{\"steps\": [...]}} with at least one step")
    steps, t = [], 0.0
    for i, s in enumerate(raw):
        where = f"tour {source}: step {i + 1}"
        if not isinstance(s, dict):
            raise TourError(f"{where}: expected an object")
        for key in ("set", "ramp"):
            _check_values(s.get(key, {}), key, where)
        for name in s.get("ramp", {}):
            if name not in BY_NAME:
                raise TourError(f"{where}: ramp: {name!r} is not a numeric parameter")
        action = s.get("action", "")
        repeat, every = int(s.get("repeat", 1)), float(s.get("every", 0.0))
        seconds = float(s.get("wait", s.get("seconds", 0.0))) + max(repeat - 1, 0) * every
        if seconds < 0 or repeat < 1:
            raise TourError(f"{where}: negative duration or repeat < 1")
        caption = s.get("caption")
        if caption is not None:
            caption = str(caption)
            _check_caption(caption, where)
        steps.append(Step(t, seconds, dict(s.get("set", {})), dict(s.get("ramp", {})),
                          str(action), repeat, every, caption))
        t += seconds
    return Tour(tuple(steps), max(t, 0.1))


def _check_caption(caption: str, where: str) -> None:
    try:
        names = [name for _text, name, _spec, _conv in string.Formatter().parse(caption)
                 if name is not None]
    except ValueError as exc:
        raise TourError(f"{where}: caption {caption!r}: {exc}") from None
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        raise TourError(f"{where}: caption {caption!r}: unknown {{{unknown[0]}}}; "
                        f"it may name {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")


def fill_caption(caption: str, titles: dict[str, str]) -> str:
    """``caption`` with ``{model1}`` / ``{model2}`` replaced by ``titles`` (slot -> title)."""
    return caption.format(**{p: titles.get(p, p) for p in PLACEHOLDERS})


def _check_values(values, key: str, where: str) -> None:
    if not isinstance(values, dict):
        raise TourError(f"{where}: {key} must be an object NAME -> VALUE")
    try:
        ParamState().update(values)
    except ParamError as exc:
        raise TourError(f"{where}: {key}: {exc}") from None


class TourPlayer:
    """Plays ``tour`` on ``params``; ``update(t)`` with t = seconds since the start."""

    def __init__(self, tour: Tour, params: ParamState, do_action, has_action):
        self.tour, self.params = tour, params
        self.do_action, self.has_action = do_action, has_action
        self._reset()

    def _reset(self) -> None:
        self.caption = ""  # what the tour says now, placeholders unfilled
        self._begun: dict[int, dict] = {}  # step index -> ramp start values
        self._fired: dict[int, int] = {}   # step index -> actions done
        self._lap = 0

    def update(self, t: float) -> None:
        lap, t = divmod(max(t, 0.0), self.tour.duration)
        if lap != self._lap:  # a new lap: finish the old one, start afresh
            self._reset()
            self._lap = lap
        for i, step in enumerate(self.tour.steps):
            if t < step.start:
                break
            self._play(i, step, t - step.start)

    def _play(self, i: int, step: Step, dt: float) -> None:
        if i not in self._begun:
            self._begun[i] = {n: self.params[n] for n in step.ramp}
            if step.set:
                self.params.update(step.set)
            if step.caption is not None:
                self.caption = step.caption
        if step.ramp:
            f = 1.0 if step.seconds <= 0 else min(dt / step.seconds, 1.0)
            start = self._begun[i]
            values = {n: start[n] + (float(v) - start[n]) * f for n, v in step.ramp.items()}
            self.params.update({n: _round(n, v) for n, v in values.items()})
        if step.action and self.has_action(step.action):
            due = 1 + (int(dt / step.every) if step.every > 0 else step.repeat)
            while self._fired.get(i, 0) < min(due, step.repeat):
                self._fired[i] = self._fired.get(i, 0) + 1
                self.do_action(step.action)


def _round(name: str, value: float) -> float:
    p = BY_NAME[name]
    return float(round(value)) if p.integer else min(max(value, p.min), p.max)
