"""A recording to a video of the window (PyAV, H.264) or to CSV for pandas.

Video: an offscreen app replays the events at their recorded times; for output frame
k (time k / fps) every event up to that time is applied, the app steps one frame
and the window is read back and encoded. ``n = floor(duration * fps) + 1`` frames.

CSV: one row per ``frame`` event: ``t``, ``event`` (its index), ``image`` (digest),
every parameter as it was then, and for each slot in SLOTS and rank 1..5
``{slot}_top{k}_index``, ``_label`` and ``_prob`` (empty when the slot was off).
No app is needed: the parameter state is followed through the ``param`` events.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from game.core.outputs import atomic, atomic_path
from game.core.params import ParamError
from game.tools.recording import format as fmt

SLOTS = ("model1", "model2", "edited")
TOP_K = 5
MAX_VIDEO_FRAMES = 25 * 3600 * 2  # two hours at 25 fps


def csv_columns(rec: fmt.Recording) -> list[str]:
    params = list(rec.header["params"])
    for event in rec.events:  # parameters newer than the header's snapshot, if any
        if event["kind"] == "param" and event["name"] not in params:
            params.append(event["name"])
    tops = [f"{s}_top{k}_{f}" for s in SLOTS for k in range(1, TOP_K + 1)
            for f in ("index", "label", "prob")]
    return ["t", "event", "image"] + params + tops


def write_csv(rec: fmt.Recording, out: Path) -> int:
    """Write the CSV; returns the number of rows."""
    from nets.labels import label

    columns = csv_columns(rec)
    rows = 0
    with atomic(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="")
        writer.writeheader()
        for index, (event, state) in enumerate(fmt.replay_params(rec)):
            if event["kind"] != "frame":
                continue
            row = {"t": event["t"], "event": index, "image": event.get("image", ""), **state}
            for slot, top in (event.get("top") or {}).items():
                for k, (idx, prob) in enumerate((top or [])[:TOP_K], start=1):
                    row[f"{slot}_top{k}_index"] = idx
                    row[f"{slot}_top{k}_label"] = label(int(idx))
                    row[f"{slot}_top{k}_prob"] = prob
            writer.writerow({c: row.get(c, "") for c in columns})
            rows += 1
    return rows


def window_image(app) -> np.ndarray:
    """The whole window as (H, W, 3) uint8, top row first."""
    tex = app.base.win.getScreenshot()
    if tex is None:
        raise RuntimeError("could not read the window back")
    data = np.frombuffer(bytes(tex.getRamImageAs("RGB")), np.uint8)
    img = data.reshape(tex.getYSize(), tex.getXSize(), 3)
    return np.ascontiguousarray(img[::-1])


def frame_count(rec: fmt.Recording, fps: float) -> int:
    return int(rec.duration * fps + 1e-9) + 1


def check_video(rec: fmt.Recording, fps: float) -> int:
    """The number of video frames, or a ParamError when it is past the cap."""
    if not (1 <= fps <= 120):
        raise ParamError(f"--fps {fps}: choose 1..120")
    n = frame_count(rec, fps)
    if n > MAX_VIDEO_FRAMES:
        raise ParamError(f"{rec.path}: {rec.duration:.0f} s at {fps:g} fps is {n} frames, more "
                         f"than the {MAX_VIDEO_FRAMES} a video export makes (at ~25 frames/s "
                         f"here that would take ~{n / 25 / 3600:.1f} h); lower --fps")
    return n


def write_video(app, rec: fmt.Recording, out: Path, fps: int = 25, on_progress=None):
    """Replay ``rec`` in ``app`` (offscreen) and encode the window; returns a Report."""
    import av

    from game.tools.recording.replay import Player

    n = check_video(rec, fps)
    player = Player(app, rec, stop_at_mismatch=False)
    app.step(2)  # the initial state on screen
    first = window_image(app)
    h, w = first.shape[0] & ~1, first.shape[1] & ~1  # H.264 with yuv420p: even sizes
    nxt = 0
    with atomic_path(out) as part, av.open(str(part), mode="w") as container:
        stream = container.add_stream("libx264", rate=int(fps))
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}
        for k in range(n):
            t = k / fps
            due = []
            while nxt < len(rec.events) and rec.events[nxt]["t"] <= t + 1e-9:
                if rec.events[nxt]["kind"] == "frame":
                    player.report.unchecked += 1
                else:
                    due.append(nxt)
                nxt += 1
            player.apply_many(due)
            app.step()
            img = window_image(app)[:h, :w]
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
            if on_progress:
                on_progress(k + 1, n)
        for packet in stream.encode():
            container.mux(packet)
    return player.report, n
