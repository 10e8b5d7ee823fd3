"""Sweep axes over parameters of the parameter model, and the grid of their points."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from game.core.params import BY_NAME, ParamError

MAX_STEPS = 1000  # points per axis


@dataclass(frozen=True)
class Axis:
    """``n`` evenly spaced values of parameter ``name`` from ``start`` to ``stop`` (inclusive)."""
    name: str
    start: float
    stop: float
    n: int

    def __post_init__(self):
        if self.name not in BY_NAME:
            raise ParamError(f"{self.name!r} is not a continuous parameter; "
                             "`perturber render --list-params` lists them")
        if not 1 <= self.n <= MAX_STEPS:
            raise ParamError(f"{self.name}: {self.n} steps; choose 1..{MAX_STEPS}")
        p = BY_NAME[self.name]
        if not p.scene:
            raise ParamError(f"{self.name} does not change the rendered frame; sweep a scene, "
                             "post, frequency or camera parameter")
        for v in (self.start, self.stop):
            p.validate(v)  # out of range -> ParamError naming the range

    @property
    def values(self) -> list[float]:
        vals = [float(self.start)] if self.n == 1 else np.linspace(self.start, self.stop, self.n)
        if BY_NAME[self.name].integer:
            return [float(round(v)) for v in vals]
        return [float(v) for v in vals]

    def __str__(self) -> str:
        return f"{self.name}={self.start:g}:{self.stop:g}:{self.n}"


def parse_axis(text: str) -> Axis:
    """``"yaw=-90:90:7"`` -> Axis("yaw", -90, 90, 7); ``"hue=0.1"`` is a single point."""
    name, sep, rng = (s.strip() for s in text.partition("="))
    if not sep or not name:
        raise ParamError(f"expected NAME=START:STOP:N, got {text!r}")
    parts = [s.strip() for s in rng.split(":")]
    try:  # numbers first: Axis' own ParamError (a ValueError) must not be masked
        if len(parts) == 1:
            start, stop, n = float(parts[0]), float(parts[0]), 1
        elif len(parts) == 3:
            start, stop, n = float(parts[0]), float(parts[1]), int(parts[2])
        else:
            raise ValueError
    except ValueError:
        raise ParamError(f"{text!r}: expected NAME=START:STOP:N with numbers, "
                         "N a whole number of steps") from None
    return Axis(name, start, stop, n)


def grid_points(axes: list[Axis] | tuple[Axis, ...]) -> list[dict[str, float]]:
    """Every combination of the axes' values; the last axis changes fastest."""
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise ParamError(f"a parameter is swept twice: {names}")
    return [dict(zip(names, combo)) for combo in itertools.product(*(a.values for a in axes))]
