"""Shared fixtures: a real ShowBase rendering offscreen through EGL (no display needed)."""
# Some tests open Panda3D windows before the nets/ tests import torchvision.
from game.core.torch_first import import_torch_first

import_torch_first()

import pytest  # noqa: E402
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
    from game.render.showbase import make_showbase

    page = loadPrcFileData("tests-showbase", PRC)
    base = make_showbase()
    try:
        yield base
    finally:
        base.destroy()
        unloadPrcFile(page)
