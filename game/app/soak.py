"""The soak run: random mouse and gamepad input for M minutes, offscreen.

Drives the real app through the virtual mouse (clicks and drags anywhere in the
window, the wheel in the scene view) and a :class:`FakePad` hot-plugged through
``connect-device`` (random mapped buttons, stick and trigger sweeps), with quiet
spells so that, with ``kiosk=True``, the attract loop and the idle reset happen too.
Reports crashes (exceptions out of a frame), frame-time percentiles, the resident
memory over time, and every frame that took ``stall_s`` or longer with the stacks of
all threads while it was stuck (``game.app.stall_watch``).
"""
from __future__ import annotations

import logging
import random
import time
import traceback

import numpy as np

from game.app import memory
from game.app.stall_watch import StallWatch
from game.app.input.gamepad import FakePad
from game.app.input.input_map import AXES

log = logging.getLogger(__name__)


def rss_mb() -> float:
    """Resident memory of this process (Linux /proc), in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def memory_sample(t: float, frames: int) -> dict:
    """RSS as found (``rss_raw_mb``) and after giving freed heap back (``rss_mb``: what the
    process really keeps; the app trims every 20 s anyway, so raw samples mostly measure
    where between two trims they fell)."""
    raw = rss_mb()
    memory.trim()
    return {"t": round(t, 1), "rss_mb": round(rss_mb(), 1), "rss_raw_mb": round(raw, 1),
            "frames": frames}


def _median(values) -> float:
    return round(float(np.median(values)), 1)


class Driver:
    """One random input per frame, in busy and quiet spells."""

    def __init__(self, app, pad: FakePad, rng: random.Random, quiet_s: float):
        self.app, self.pad, self.rng, self.quiet_s = app, pad, rng, quiet_s
        self.buttons = list(app.tools["gamepad"].map.buttons) if "gamepad" in app.tools else []
        self.busy_until = 0.0
        self.quiet_until = 0.0
        self.held: list[str] = []

    def frame(self, t: float) -> None:
        for b in self.held:
            self.pad.release(b)
        self.held.clear()
        if t < self.quiet_until:
            self.pad.neutral()
            return
        if t >= self.busy_until:
            self.busy_until = t + self.rng.uniform(2, 8)
            if self.quiet_s > 0 and self.rng.random() < 0.3:
                self.quiet_until = t + self.rng.uniform(0, self.quiet_s)
                self.busy_until = self.quiet_until + self.rng.uniform(2, 8)
                return
        r = self.rng.random()
        if r < 0.35:
            self._mouse()
        elif r < 0.6 and self.buttons:
            b = self.rng.choice(self.buttons)
            self.pad.press(b)
            self.held.append(b)
        elif r < 0.8:
            axis = self.rng.choice(AXES)
            self.pad.set_axis(axis, self.rng.uniform(-1, 1) if "trigger" not in axis
                              else self.rng.random())
        else:
            self.pad.axes.clear()

    def _mouse(self) -> None:
        vm = getattr(self.app, "virtual_mouse", None)
        if vm is None:
            return
        r = self.rng.random()
        if r < 0.5:
            vm.move_to(self.rng.uniform(-1, 1), self.rng.uniform(-1, 1))
        elif r < 0.7:
            left, right, bottom, top = self.app.layout.scene_view_bounds()
            vm.move_to(self.rng.uniform(left, right), self.rng.uniform(bottom, top))
            vm.press("mouse1")
            self.app.step()
            vm.move_to(self.rng.uniform(left, right), self.rng.uniform(bottom, top))
            self.app.step()
            vm.release("mouse1")
        elif r < 0.85:
            vm.wheel(self.rng.random() < 0.5)
        else:
            vm.press("mouse1")
            self.app.step()
            vm.release("mouse1")


def soak(app, minutes: float, seed: int = 0, sample_s: float = 5.0,
         quiet_s: float = 0.0, progress=None, stall_s: float = 5.0) -> dict:
    """Run the soak on ``app`` (already built, offscreen); returns the report.

    It runs in a scratch working directory: random clicks may press buttons that
    write files (the record button writes ``recordings/...``); they land there."""
    import os
    import tempfile

    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="perturber-soak-") as scratch:
        os.chdir(scratch)
        try:
            return _soak(app, minutes, seed, sample_s, quiet_s, progress, stall_s)
        finally:
            recorder = getattr(app, "tools", {}).get("recorder")
            if getattr(recorder, "recording", False) and hasattr(recorder, "stop"):
                recorder.stop()
            os.chdir(cwd)


def _soak(app, minutes, seed, sample_s, quiet_s, progress, stall_s) -> dict:
    rng = random.Random(seed)
    pad = FakePad("soak pad")
    app.base.messenger.send("connect-device", [pad])
    app.step()
    driver = Driver(app, pad, rng, quiet_s)
    frame_ms: list[float] = []
    crashes: list[dict] = []
    samples = [memory_sample(0.0, 0)]
    t0 = time.perf_counter()
    end = minutes * 60.0
    watch = StallWatch(stall_s)
    try:
        _drive(app, driver, watch, frame_ms, crashes, samples, t0, end, sample_s, progress)
    finally:
        watch.close()
    pad.neutral()
    app.base.messenger.send("disconnect-device", [pad])
    app.step()
    samples.append(memory_sample(time.perf_counter() - t0, len(frame_ms)))
    out = report(minutes, frame_ms, crashes, samples, app)
    out["stall_s"], out["stalls"] = stall_s, watch.stalls[:10]
    return out


def _drive(app, driver, watch, frame_ms, crashes, samples, t0, end, sample_s, progress):
    next_sample = sample_s
    while True:
        t = time.perf_counter() - t0
        if t >= end:
            break
        with watch.frame(t):  # its drags and clicks step the app too
            driver.frame(t)
        start = time.perf_counter()
        try:
            with watch.frame(t):
                app.step()
        except Exception as exc:
            crashes.append({"t": round(t, 2), "error": f"{type(exc).__name__}: {exc}",
                            "where": traceback.format_exc(limit=3)[-600:]})
            log.error("soak: exception out of a frame at %.1f s", t, exc_info=exc)
        frame_ms.append((time.perf_counter() - start) * 1000.0)
        if t >= next_sample:
            samples.append(memory_sample(t, len(frame_ms)))
            next_sample += sample_s
            if progress:
                progress(samples[-1])


def report(minutes, frame_ms, crashes, samples, app) -> dict:
    ms = np.asarray(frame_ms or [0.0])
    # growth after warm-up: the median of the samples in the run's second tenth against
    # the median of its last tenth (single samples swing with what the frame was doing)
    span = minutes * 60
    second = [s["rss_mb"] for s in samples if 0.1 * span <= s["t"] < 0.2 * span] or [samples[0]["rss_mb"]]
    last = [s["rss_mb"] for s in samples if s["t"] >= 0.9 * span] or [samples[-1]["rss_mb"]]
    warm, end = _median(second), _median(last)
    kiosk = getattr(app, "tools", {}).get("kiosk")
    out = {
        "minutes": minutes, "frames": len(frame_ms), "crashes": len(crashes),
        "crash_details": crashes[:10],
        "frame_ms": {"p50": round(float(np.percentile(ms, 50)), 2),
                     "p99": round(float(np.percentile(ms, 99)), 2),
                     "max": round(float(ms.max()), 2), "mean": round(float(ms.mean()), 2)},
        "rss_mb": {"start": samples[0]["rss_mb"], "after_warmup": warm, "end": end,
                   "max": max(s["rss_mb"] for s in samples),
                   "raw_max": max(s.get("rss_raw_mb", s["rss_mb"]) for s in samples),
                   "growth_pct": round(100.0 * (end - warm) / max(warm, 1e-6), 2)},
        "samples": samples,
        "kiosk": kiosk is not None,
    }
    if kiosk is not None:
        out["kiosk_errors_recovered"] = len(kiosk.errors)
        out["kiosk_resets"] = kiosk.resets
        out["kiosk_error_details"] = kiosk.errors[:10]
    return out


def format_report(r: dict) -> str:
    f, m = r["frame_ms"], r["rss_mb"]
    lines = [f"soak: {r['minutes']} min, {r['frames']} frames, {r['crashes']} crashes"
             + (f", kiosk recovered {r['kiosk_errors_recovered']} errors, "
                f"{r['kiosk_resets']} idle resets" if r["kiosk"] else ""),
             f"frame time ms: p50 {f['p50']}  p99 {f['p99']}  max {f['max']}  mean {f['mean']}",
             f"RSS MiB (after trimming): start {m['start']}  after warm-up {m['after_warmup']}  "
             f"end {m['end']}  max {m['max']}  growth {m['growth_pct']}%  (untrimmed max "
             f"{m.get('raw_max', m['max'])}; warm-up and end: medians of the 2nd and last tenth)",
             "memory over time (s: MiB): " + ", ".join(
                 f"{s['t']:g}: {s['rss_mb']:g}" for s in r["samples"])]
    for c in r["crash_details"]:
        lines.append(f"crash at {c['t']} s: {c['error']}")
    for s in r.get("stalls", []):
        lines.append(f"stall at {s['t']} s: one frame took {s['frame_s']} s; the threads' "
                     f"stacks {r['stall_s']} s into it:\n{s['stacks'].rstrip()}")
    return "\n".join(lines)
