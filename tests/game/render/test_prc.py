"""Panda3D/Mesa configuration made before a window exists."""
from game.render import prc


def test_software_rasteriser_threads_default_to_none_but_respect_the_user(monkeypatch):
    monkeypatch.delenv("LP_NUM_THREADS", raising=False)
    prc.configure(offscreen=True, size=(224, 224))
    assert prc.os.environ["LP_NUM_THREADS"] == "0"  # flat memory (see game/render/prc.py)
    monkeypatch.setenv("LP_NUM_THREADS", "4")
    prc.configure(offscreen=True, size=(224, 224))
    assert prc.os.environ["LP_NUM_THREADS"] == "4"
