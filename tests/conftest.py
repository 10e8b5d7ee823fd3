"""Shared fixtures: a real ShowBase rendering offscreen through EGL (no display needed)."""
# torch and torchvision must be imported before anything creates Panda3D's EGL context:
# importing torchvision after Panda3D's EGL context exists segfaults the process, and
# some tests open Panda3D windows before the nets/ tests import torchvision.
import torch  # noqa: F401
import torchvision  # noqa: F401

import pytest
from panda3d.core import loadPrcFileData, unloadPrcFile

PRC = """
load-display p3headlessgl
window-type offscreen
win-size 1280 800
audio-library-name null
sync-video false
textures-power-2 none
notify-level-device fatal
"""


@pytest.fixture
def showbase():
    """A fresh offscreen ShowBase (1280x800) per test, destroyed afterwards."""
    from direct.showbase.ShowBase import ShowBase
    page = loadPrcFileData("tests-showbase", PRC)
    base = ShowBase()
    try:
        yield base
    finally:
        base.destroy()
        unloadPrcFile(page)
