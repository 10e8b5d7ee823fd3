"""What a visualisation costs on this machine: seconds per optimisation step, per architecture.

The service times every picture it finishes (wall-clock seconds from the job's start to
its image, while the worker process computes it) and keeps one running figure per
architecture, so the views can say before a job starts how long it will take ("~25 s").
The figures live in ``costs.json`` in the feature-vis cache folder, beside the pictures:

    {"mobilenet_v2": {"step_s": 0.117, "jobs": 3}, ...}

Before a job of an architecture was timed here the estimate is ``FIRST_GUESS_STEP_S``.
The first measured job replaces it; each later one moves the figure by ``WEIGHT`` of
its difference, so one job on a busy machine does not make every later estimate wrong.
A file that cannot be read counts as empty; writing is best effort (the estimate is a
hint, never a reason to fail a picture).
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path

FILE = "costs.json"
# A 128 px, 256-step class visualisation of MobileNetV2 or EfficientNet-Lite0 took 19-31 s
# in the app's worker process on the 2-core CPU this was built on (the "seconds" of the
# cache's sidecars), 25-58 s for the shipped ones, made while other work ran: 30 s.
FIRST_GUESS_STEP_S = 30.0 / 256
WEIGHT = 1 / 3


class CostBook:
    """The per-architecture figures kept in ``path``; safe to use from two threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._figures: dict[str, dict] | None = None  # read on first use

    def step_seconds(self, arch: str) -> float:
        """Seconds one optimisation step of ``arch`` takes here (measured, else the guess)."""
        with self._lock:
            figure = self._load().get(arch)
        return float(figure["step_s"]) if figure else FIRST_GUESS_STEP_S

    def estimate(self, arch: str, steps: int) -> float:
        """Seconds a job of ``steps`` steps of ``arch`` will take here."""
        return self.step_seconds(arch) * steps

    def record(self, arch: str, seconds: float, steps: int) -> None:
        """A finished job of ``arch``: ``steps`` steps in ``seconds``."""
        if steps <= 0 or not seconds >= 0:
            return
        step_s = seconds / steps
        with self._lock:
            figures = self._load()
            old = figures.get(arch)
            if old is None:
                figures[arch] = {"step_s": step_s, "jobs": 1}
            else:
                figures[arch] = {"step_s": old["step_s"] + WEIGHT * (step_s - old["step_s"]),
                                 "jobs": int(old.get("jobs", 1)) + 1}
            text = json.dumps(figures, indent=1, sort_keys=True)
        self._write(text)

    def _load(self) -> dict[str, dict]:
        if self._figures is None:
            try:
                data = json.loads(self.path.read_text())
            except (OSError, ValueError):
                data = {}
            self._figures = {arch: f for arch, f in data.items()
                             if isinstance(f, dict) and _number(f.get("step_s"))} \
                if isinstance(data, dict) else {}
        return self._figures

    def _write(self, text: str) -> None:
        """Write ``text`` to a temporary name and rename it into place."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, self.path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and value >= 0
