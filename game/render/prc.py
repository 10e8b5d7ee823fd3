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
"""


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def configure(offscreen: bool, size: tuple[int, int] = (1280, 800), title: str = "Perturber",
              fullscreen: bool = False) -> None:
    """Offscreen: EGL (no display needed). Onscreen: the platform's window."""
    os.environ.setdefault("EGL_PLATFORM", "surfaceless")
    # Mesa's software rasteriser (llvmpipe; real GPU drivers ignore this) with its own
    # threads grew the app from 1.2 to 2.6 GB over 1,000 idle frames, memory that
    # malloc_trim does not get back; rasterising on the calling thread kept it flat at
    # ~0.95 GB for ~19 ms instead of ~14-18 ms a frame (2 cores, loaded). An unattended
    # kiosk needs flat memory more, so 0 unless the user chose a value.
    os.environ.setdefault("LP_NUM_THREADS", "0")
    lines = [COMMON, f"win-size {size[0]} {size[1]}", f"window-title {title}"]
    if offscreen:
        lines += ["load-display p3headlessgl", "window-type offscreen"]
    else:
        lines += ["window-type onscreen", f"fullscreen {'#t' if fullscreen else '#f'}"]
    loadPrcFileData("perturber", "\n".join(lines))
