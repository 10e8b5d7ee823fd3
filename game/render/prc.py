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
    # Mesa's software rasteriser (llvmpipe; real GPU drivers ignore this) rasterises on
    # the calling thread with 0. Its own threads once grew the app by ~1.4 GB over 1,000
    # idle frames; with the malloc arena limit (game.app.memory) 2 threads stayed flat at
    # 1.07 GB over 1,200 frames, but did not shorten the app's frame on 2 cores (the
    # window drawn in 10 instead of 13 ms, the frame with two models' results 49-51 ms
    # against 47-53), so 0 unless the user chose a value.
    os.environ.setdefault("LP_NUM_THREADS", "0")
    lines = [COMMON, f"win-size {size[0]} {size[1]}", f"window-title {title}"]
    if offscreen:
        lines += ["load-display p3headlessgl", "window-type offscreen"]
    else:
        lines += ["window-type onscreen", f"fullscreen {'#t' if fullscreen else '#f'}"]
    loadPrcFileData("perturber", "\n".join(lines))
