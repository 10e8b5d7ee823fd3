"""A sweep's results as they finish: one JSON line per point, appended and flushed.

``DIR/sweep.points.jsonl`` starts with a header naming the sweep (a fingerprint of the job,
its axes and its points); then one line per finished point, lossless (values, top classes,
channel means, the layer used, the thumbnail as raw bytes in base64). A killed sweep keeps
every point written so far; ``perturber sweep --resume`` reads them back (only for the same
fingerprint) and computes the rest. Reading stops at the first damaged line (a line cut off
by the kill).
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from game.batch.sweep.job import PointResult, ProbeJob
from game.core.params import ParamError

MAGIC = "perturber-sweep-journal"
VERSION = 1
NAME = "sweep.points.jsonl"
MAX_LINE_BYTES = 1 << 20


def fingerprint(job: ProbeJob, axes, points: list[dict]) -> str:
    """Equal for sweeps that compute the same points the same way."""
    text = json.dumps({"job": asdict(job), "axes": [str(a) for a in axes], "points": points},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _encode(r: PointResult) -> dict:
    out = {"index": r.index, "values": r.values, "top": r.top, "channels": r.channels,
           "layers": r.layers}
    if r.thumb is not None:
        out["thumb"] = {"shape": list(r.thumb.shape),
                        "data": base64.b64encode(np.ascontiguousarray(r.thumb).tobytes()).decode()}
    return out


def _decode(d: dict) -> PointResult:
    thumb = None
    if d.get("thumb"):
        shape = tuple(int(s) for s in d["thumb"]["shape"])
        thumb = np.frombuffer(base64.b64decode(d["thumb"]["data"]), np.uint8).reshape(shape).copy()
    return PointResult(index=int(d["index"]), values=dict(d["values"]), top=dict(d["top"]),
                       channels=dict(d.get("channels") or {}), layers=dict(d.get("layers") or {}),
                       thumb=thumb)


class Journal:
    """Appends finished points; ``path`` is created (or, resuming, continued)."""

    def __init__(self, path: Path, print_: str, resume: bool = False):
        self.path = Path(path)
        if resume and self.path.is_file():
            self._file = open(self.path, "a", encoding="utf-8")
        else:
            self._file = open(self.path, "w", encoding="utf-8")
            self._line({"kind": "header", "format": MAGIC, "version": VERSION,
                        "fingerprint": print_})

    def append(self, results: list[PointResult]) -> None:
        for r in results:
            self._line(_encode(r))

    def close(self) -> None:
        self._file.close()

    def _line(self, obj: dict) -> None:
        self._file.write(json.dumps(obj, separators=(",", ":")) + "\n")
        self._file.flush()


def read(path: Path, print_: str) -> dict[int, PointResult]:
    """The points a journal holds, by index; a ParamError for another sweep's journal."""
    path = Path(path)
    found: dict[int, PointResult] = {}
    with open(path, "rb") as f:
        try:
            header = json.loads(f.readline(MAX_LINE_BYTES + 1))
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != MAGIC:
            raise ParamError(f"{path}: not a sweep journal")
        if header.get("fingerprint") != print_:
            raise ParamError(f"{path}: written by a different sweep (other parameters, models, "
                             "scene or options); --force starts this one afresh")
        for line in iter(lambda: f.readline(MAX_LINE_BYTES + 1), b""):
            try:
                r = _decode(json.loads(line))
            except (ValueError, KeyError, TypeError):
                break  # the line the kill cut off, or damage: keep what came before
            found[r.index] = r
    return found
