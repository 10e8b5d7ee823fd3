"""Shared fixtures: a real offscreen ShowBase rendering through EGL (Mesa llvmpipe)."""
import pytest


@pytest.fixture
def showbase():
    from game.prc import configure

    configure(offscreen=True, size=(224, 224))
    from direct.showbase.ShowBase import ShowBase

    base = ShowBase()
    try:
        yield base
    finally:
        base.destroy()
