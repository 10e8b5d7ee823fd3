"""Panda3D configuration, applied before ShowBase is created."""
from __future__ import annotations

import os

from panda3d.core import loadPrcFileData

COMMON = """
audio-library-name null
textures-power-2 none
sync-video false
notify-level-device fatal
notify-level-egldisplay error
print-pipe-types false
default-directnotify-level warning
framebuffer-srgb false
garbage-collect-states-rate 0.25
"""
# ``garbage-collect-states-rate``: ShowBase sweeps Panda's state caches every frame; a
# quarter of them per frame (every state still every 4 frames) took the app's sweep from
# 0.57 to 0.32 ms a frame.


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def app_raster_threads(cpus: int | None = None) -> int:
    """llvmpipe rasteriser threads for the interactive app: 2 where there are 2 cores.

    Measured with ``perturber bench`` on 2 cores, interleaved runs: with 2 threads the
    frame with two models' results took 46-49 ms against 55-59 with 0, the offscreen
    render 9-11 against 14, and the window's draw stopped spiking (p90 17-19 against
    42-47 ms): the window's pixels are filled on those threads while the main thread
    culls and submits. Memory stays flat with the malloc arena limit (game.app.memory).
    One core: 0 (rasterise on the calling thread).
    """
    if cpus is None:
        cpus = os.cpu_count() or 1
    return 2 if cpus >= 2 else 0


def configure(offscreen: bool, size: tuple[int, int] = (1280, 800), title: str = "Perturber",
              fullscreen: bool = False, raster_threads: int = 0) -> None:
    """Offscreen: EGL (no display needed). Onscreen: the platform's window.

    ``raster_threads``: Mesa's software rasteriser (llvmpipe; real GPU drivers ignore
    it) fills pixels on that many threads of its own, or on the calling thread with 0.
    Batch work (CLI renders, sweep workers, one process per core) keeps 0: a process
    then uses one core. A value the user set in ``LP_NUM_THREADS`` wins.
    """
    os.environ.setdefault("EGL_PLATFORM", "surfaceless")
    os.environ.setdefault("LP_NUM_THREADS", str(int(raster_threads)))
    lines = [COMMON, f"win-size {size[0]} {size[1]}", f"window-title {title}"]
    if offscreen:
        lines += ["load-display p3headlessgl", "window-type offscreen"]
    else:
        lines += ["window-type onscreen", f"fullscreen {'#t' if fullscreen else '#f'}"]
    loadPrcFileData("perturber", "\n".join(lines))
