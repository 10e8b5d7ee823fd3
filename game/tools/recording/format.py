"""The recording file: one JSON object per line, append-only, flushed per line.

Line 1 is the header::

    {"kind": "header", "format": "perturber-recording", "version": 1, "app_version": "0.1.0",
     "started": "2026-11-28T17:20:00+00:00", "renderer": "llvmpipe (...)", "window": [1280, 800],
     "params": {...every parameter...}, "models": {"model1": {"name": ..., "checkpoint": 0,
     "key": "mobilenet_v2@..."}, "model2": ..., "edited": null}}

Then events, each with ``t`` (seconds since the start, monotonic clock) and ``kind``:

* ``param``  ``name``, ``value``: one parameter changed (every ParamState change).
* ``action`` ``name``: a named user action (``app.do(name)``, e.g. ``attack.step``).
* ``focus``  ``target``: the UI focus moved (sent by the gamepad focus as a
  ``perturber-focus`` messenger event).
* ``models`` ``models``: slot -> weights key, whenever the loaded models change.
* ``frame``  ``serial``, ``image`` (sha256 prefix of the 224x224x3 network input),
  ``top`` (slot -> [[index, prob], ...] top-5, probs rounded), ``mode`` (sync/worker).
* ``end``: the recording was stopped cleanly (a crash leaves no ``end``).

A reader stops at the first damaged line (a half-written last line, a line that is
not a JSON object) and says where; events of unknown kinds are skipped and listed.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

MAGIC = "perturber-recording"
VERSION = 1
KINDS = ("param", "action", "focus", "models", "frame", "end")
DIGEST_CHARS = 16   # hex characters of sha256 kept per frame (64 bits)
PROB_DIGITS = 4     # probabilities are rounded to this many decimals


class RecordingError(ValueError):
    """A file that cannot be replayed at all (no header, not a recording)."""


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("perturber")
    except PackageNotFoundError:
        return "unknown"


def image_digest(image: np.ndarray) -> str:
    """sha256 prefix of the image bytes, with the shape so a resize never collides."""
    image = np.ascontiguousarray(image)
    h = hashlib.sha256(repr(image.shape).encode())
    h.update(image.tobytes())
    return h.hexdigest()[:DIGEST_CHARS]


def top_digest(top: list[dict] | None) -> list[list] | None:
    """[{"index", "prob", ...}] -> [[index, prob rounded], ...]."""
    if top is None:
        return None
    return [[int(r["index"]), round(float(r["prob"]), PROB_DIGITS)] for r in top]


def result_event(result, mode: str) -> dict:
    """The ``frame`` event of one InferenceResult (game/core/results.py)."""
    return {"kind": "frame", "serial": int(result.frame_serial),
            "image": image_digest(result.image), "mode": mode,
            "top": {o.slot: top_digest(o.top) for o in result.outputs}}


def make_header(params: dict, models: dict, renderer: str = "",
                window: tuple[int, int] | None = None) -> dict:
    return {"kind": "header", "format": MAGIC, "version": VERSION,
            "app_version": app_version(),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "renderer": renderer, "window": list(window) if window else None,
            "params": dict(params), "models": dict(models)}


class Writer:
    """Appends one line per event and flushes it: a crash loses at most the last event."""

    def __init__(self, path: Path, header: dict, clock=time.monotonic):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._t0 = clock()
        self._file = open(self.path, "w", encoding="utf-8")
        self.count = 0
        self._line(header)

    @property
    def closed(self) -> bool:
        return self._file.closed

    def now(self) -> float:
        return round(self._clock() - self._t0, 4)

    def event(self, kind: str, **fields) -> None:
        """Append one event (OSError / ValueError when the file cannot take it)."""
        self._line({"t": self.now(), "kind": kind, **fields})
        self.count += 1

    def close(self) -> None:
        if not self._file.closed:
            self.event("end")
            self._file.close()

    def _line(self, obj: dict) -> None:
        self._file.write(json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n")
        self._file.flush()


@dataclass
class Recording:
    path: Path
    header: dict
    events: list[dict]                 # the readable events, in file order
    lines: list[int]                   # the file line (1-based) of each event
    damage: str | None = None          # why reading stopped early, or None
    skipped: list[str] = field(default_factory=list)  # unknown kinds etc., line by line

    @property
    def duration(self) -> float:
        return float(self.events[-1]["t"]) if self.events else 0.0

    @property
    def complete(self) -> bool:
        return self.damage is None and bool(self.events) and self.events[-1]["kind"] == "end"

    def frames(self) -> list[dict]:
        return [e for e in self.events if e["kind"] == "frame"]


def read(path: Path) -> Recording:
    """Read up to the first damaged line; raise RecordingError if there is no header."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RecordingError(f"{path}: {exc.strerror or exc}") from None
    raw = data.split(b"\n")
    ends_clean = data.endswith(b"\n")
    if ends_clean:
        raw = raw[:-1]
    if not raw or not raw[0].strip():
        raise RecordingError(f"{path}: empty file, not a Perturber recording")
    header = _parse(raw[0])
    if not isinstance(header, dict) or header.get("format") != MAGIC:
        raise RecordingError(f"{path}: line 1 is not a Perturber recording header")
    if header.get("version") != VERSION:
        raise RecordingError(f"{path}: recording format version {header.get('version')!r}; "
                             f"this app reads version {VERSION}")
    if not isinstance(header.get("params"), dict):
        raise RecordingError(f"{path}: the header has no parameter snapshot")
    rec = Recording(path, header, [], [])
    last_t = 0.0
    for i, line in enumerate(raw[1:], start=2):
        if not line.strip():
            continue
        event = _parse(line)
        last = i == len(raw) and not ends_clean
        problem = _check(event, last_t)
        if problem:
            what = "the last line is cut off (truncated file)" if last else problem
            rec.damage = f"line {i}: {what}; replaying the {len(rec.events)} events before it"
            break
        if event["kind"] not in KINDS:
            rec.skipped.append(f"line {i}: unknown event kind {event['kind']!r} (skipped)")
            continue
        last_t = float(event["t"])
        rec.events.append(event)
        rec.lines.append(i)
    return rec


def _parse(line: bytes):
    try:
        return json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _check(event, last_t: float) -> str | None:
    if not isinstance(event, dict):
        return "not a JSON event (garbage or a broken line)"
    t, kind = event.get("t"), event.get("kind")
    if not isinstance(kind, str):
        return "an event without a kind"
    if not isinstance(t, (int, float)) or isinstance(t, bool) or t < last_t:
        return f"event time {t!r} is missing or goes backwards"
    return None


def replay_params(rec: Recording):
    """Yield (event, params dict after it) in order: the parameter state along the file."""
    state = dict(rec.header["params"])
    for event in rec.events:
        if event["kind"] == "param":
            state[event["name"]] = event["value"]
        yield event, state
