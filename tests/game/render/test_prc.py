"""Panda3D/Mesa configuration made before a window exists."""
from game.render import prc


def test_rasteriser_threads_are_the_callers_choice_unless_the_user_set_them(monkeypatch):
    monkeypatch.delenv("LP_NUM_THREADS", raising=False)
    prc.configure(offscreen=True, size=(224, 224))
    assert prc.os.environ["LP_NUM_THREADS"] == "0"  # batch work: one core per process
    monkeypatch.delenv("LP_NUM_THREADS")
    prc.configure(offscreen=True, size=(224, 224), raster_threads=2)
    assert prc.os.environ["LP_NUM_THREADS"] == "2"
    monkeypatch.setenv("LP_NUM_THREADS", "4")
    prc.configure(offscreen=True, size=(224, 224), raster_threads=2)
    assert prc.os.environ["LP_NUM_THREADS"] == "4"


def test_the_app_rasterises_on_two_threads_where_there_are_two_cores():
    assert prc.app_raster_threads(cpus=1) == 0
    assert prc.app_raster_threads(cpus=2) == 2
    assert prc.app_raster_threads(cpus=16) == 2
    assert prc.app_raster_threads() in (0, 2)
