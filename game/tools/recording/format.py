"""The recording file: one JSON object per line, append-only, flushed per line.

Line 1 is the header::

    {"kind": "header", "format": "perturber-recording", "version": 1, "app_version": "0.1.0",
     "started": "2026-11-28T17:20:00+00:00", "renderer": "llvmpipe (...)", "window": [1280, 800],
     "params": {...every parameter...}, "models": {"model1": {"name": ..., "checkpoint": 0,
     "key": "mobilenet_v2@..."}, "model2": ..., "edited": null}}

Then events, each with ``t`` (seconds since the start, monotonic clock) and ``kind``:

* ``param``  ``name``, ``value``: one parameter changed (every ParamState change).
* ``action`` ``name``: a named user action (``app.actions.do(name)``, e.g. ``attack.step``).
* ``focus``  ``target``: the UI focus moved (sent by the gamepad focus as a
  ``perturber-focus`` messenger event).
* ``models`` ``models``: slot -> weights key, whenever the loaded models change.
* ``frame``  ``serial``, ``image`` (sha256 prefix of the 224x224x3 network input),
  ``top`` (slot -> [[index, prob], ...] top-5, probs rounded), ``mode`` (sync/worker).
* ``custom`` ``code``: a new custom GLSL snippet took effect (the header's ``custom_glsl``
  is the one running when recording started).
* ``end``: the recording was stopped cleanly (a crash leaves no ``end``).

A reader streams the file and stops at the first damaged line (a half-written last
line, a line that is not a JSON object, a line longer than ``MAX_LINE_BYTES``, an event
time that goes backwards or past ``MAX_DURATION_S``) and says where; events of unknown
kinds are skipped and listed. It reads at most ``MAX_EVENTS`` events and only regular
files. A writer never replaces an existing file: it takes the next free name.
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
KINDS = ("param", "action", "focus", "models", "frame", "custom", "end")
MAX_SNIPPET_CHARS = 20_000  # as game.render.post.custom allows
DIGEST_CHARS = 16   # hex characters of sha256 kept per frame (64 bits)
PROB_DIGITS = 4     # probabilities are rounded to this many decimals
MAX_LINE_BYTES = 1 << 20    # a header with every parameter is ~3 KB; an event < 1 KB
MAX_EVENTS = 2_000_000      # ~9 h of a busy session at 60 events/s
MAX_DURATION_S = 7 * 24 * 3600.0
MAX_WINDOW_SIDE = 8192


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
                window: tuple[int, int] | None = None, custom_glsl: str | None = None) -> dict:
    return {"kind": "header", "format": MAGIC, "version": VERSION,
            "app_version": app_version(),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "renderer": renderer, "window": list(window) if window else None,
            "params": dict(params), "models": dict(models), "custom_glsl": custom_glsl}


class Writer:
    """Appends one line per event and flushes it: a crash loses at most the last event."""

    def __init__(self, path: Path, header: dict, clock=time.monotonic):
        self.path, self._file = create_new(Path(path))
        self._clock = clock
        self._t0 = clock()
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


def create_new(path: Path):
    """(path, open text file) for a file that did not exist: ``path`` itself, or the first
    free ``stem-N.suffix`` beside it. Existing recordings are never overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for n in range(10_000):
        candidate = path if n == 0 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            return candidate, open(candidate, "x", encoding="utf-8")
        except FileExistsError:
            continue
    raise OSError(f"{path}: no free file name beside it")


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
    if path.exists() and not path.is_file():
        raise RecordingError(f"{path}: not a regular file, not a Perturber recording")
    try:
        with open(path, "rb") as f:
            return _read_stream(path, f)
    except OSError as exc:
        raise RecordingError(f"{path}: {exc.strerror or exc}") from None


def _read_stream(path: Path, f) -> Recording:
    first = f.readline(MAX_LINE_BYTES + 1)
    if not first.strip():
        raise RecordingError(f"{path}: empty file, not a Perturber recording")
    header = _parse(first) if len(first) <= MAX_LINE_BYTES else None
    if not isinstance(header, dict) or header.get("format") != MAGIC:
        raise RecordingError(f"{path}: line 1 is not a Perturber recording header")
    if header.get("version") != VERSION:
        raise RecordingError(f"{path}: recording format version {header.get('version')!r}; "
                             f"this app reads version {VERSION}")
    if not isinstance(header.get("params"), dict):
        raise RecordingError(f"{path}: the header has no parameter snapshot")
    problem = _check_window(header.get("window"))
    if problem:
        raise RecordingError(f"{path}: the header's window {problem}")
    glsl = header.get("custom_glsl")
    if glsl is not None and not (isinstance(glsl, str) and len(glsl) <= MAX_SNIPPET_CHARS):
        raise RecordingError(f"{path}: the header's custom_glsl is not a snippet")
    rec = Recording(path, header, [], [])
    last_t = 0.0
    i = 1
    while True:
        line = f.readline(MAX_LINE_BYTES + 1)
        if not line:
            break
        i += 1
        if not line.strip():
            continue
        if len(rec.events) >= MAX_EVENTS:
            rec.damage = f"line {i}: more than {MAX_EVENTS} events; replaying the first ones"
            break
        cut = not line.endswith(b"\n") and len(line) <= MAX_LINE_BYTES
        if len(line) > MAX_LINE_BYTES:
            problem = f"longer than {MAX_LINE_BYTES} bytes"
        else:
            problem = _check(_parse(line), last_t)
        if problem:
            what = "the last line is cut off (truncated file)" if cut else problem
            rec.damage = f"line {i}: {what}; replaying the {len(rec.events)} events before it"
            break
        event = _parse(line)
        if event["kind"] not in KINDS:
            rec.skipped.append(f"line {i}: unknown event kind {event['kind']!r} (skipped)")
            continue
        last_t = float(event["t"])
        rec.events.append(event)
        rec.lines.append(i)
    return rec


def _check_window(window) -> str | None:
    if window is None:
        return None
    if not (isinstance(window, list) and len(window) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in window)):
        return f"{window!r} is not [width, height]"
    if not all(1 <= v <= MAX_WINDOW_SIDE for v in window):
        return f"{window} is outside 1..{MAX_WINDOW_SIDE} pixels a side"
    return None


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
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not t >= last_t:
        return f"event time {t!r} is missing or goes backwards"
    if t > MAX_DURATION_S:
        return f"event time {t!r} is past {MAX_DURATION_S:g} s"
    check = _FIELDS.get(kind)
    if check is not None and not check(event):
        return f"a {kind} event with missing or malformed fields"
    return None


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _top_rows(rows) -> bool:
    return rows is None or (isinstance(rows, list) and all(
        isinstance(r, list) and len(r) == 2 and isinstance(r[0], int) and _number(r[1])
        for r in rows))


# What each known event kind must carry (see the module docstring).
_FIELDS = {
    "param": lambda e: isinstance(e.get("name"), str)
    and (isinstance(e.get("value"), str) or _number(e.get("value"))),
    "action": lambda e: isinstance(e.get("name"), str),
    "custom": lambda e: isinstance(e.get("code"), str) and len(e["code"]) <= MAX_SNIPPET_CHARS,
    "focus": lambda e: isinstance(e.get("target", ""), str),
    "models": lambda e: isinstance(e.get("models"), dict) and all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in e["models"].items()),
    "frame": lambda e: isinstance(e.get("serial"), int) and isinstance(e.get("image"), str)
    and isinstance(e.get("mode", "sync"), str) and isinstance(e.get("top"), dict)
    and all(isinstance(k, str) and _top_rows(v) for k, v in e["top"].items()),
}


def replay_params(rec: Recording):
    """Yield (event, params dict after it) in order: the parameter state along the file."""
    state = dict(rec.header["params"])
    for event in rec.events:
        if event["kind"] == "param":
            state[event["name"]] = event["value"]
        yield event, state
