"""The window is drawn only in frames where something in it can have changed."""
import numpy as np
import pytest
from direct.gui.DirectGui import DirectEntry
from panda3d.core import Point3

from game.app.redraw import IDLE_FPS, KEEPALIVE_S, WindowRedraw
from game.core.params import ParamState
from tests.game.conftest import sphere_box_app


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


@pytest.fixture
def redraw(showbase):
    from game.app.input.virtual_mouse import attach_virtual_mouse

    mouse = attach_virtual_mouse(showbase)
    clock, sleeps, params = Clock(), [], ParamState()
    r = WindowRedraw(showbase, params, clock=clock, sleep=sleeps.append)
    showbase.taskMgr.step()  # the first frame is drawn

    def drawn() -> bool:
        before = r.drawn
        showbase.taskMgr.step()
        assert showbase.win.isActive() == (r.drawn > before)
        return r.drawn > before

    yield r, params, clock, sleeps, mouse, drawn
    r.destroy()


def test_nothing_changed_nothing_drawn_and_idle_frames_are_paced(redraw):
    r, params, clock, sleeps, _, drawn = redraw
    assert not drawn() and not drawn()
    assert sleeps[-1] == pytest.approx(1 / IDLE_FPS)  # the fake clock stands still
    params.set("hue", 0.2)
    assert drawn() and not drawn()


def test_requests_events_and_the_keepalive_draw(redraw):
    r, _, clock, _, _, drawn = redraw
    r.request()
    assert drawn() and not drawn()
    for event, args in (("window-event", [None]), ("perturber-input", [])):
        r.base.messenger.send(event, args)
        assert drawn() and not drawn()
    clock.t += KEEPALIVE_S
    assert drawn() and not drawn()


def test_a_key_press_is_drawn(redraw):
    """A key can open or close a view without changing a parameter (Esc closes one)."""
    r, _, _, _, _, drawn = redraw
    assert r.base.buttonThrowers  # the window's keyboard and mouse buttons
    event = r.base.buttonThrowers[0].node().getButtonDownEvent()
    assert event
    r.base.messenger.send(event, ["escape"])
    assert drawn() and not drawn()


def test_the_mouse_and_a_focused_text_entry_draw(redraw):
    r, _, _, _, mouse, drawn = redraw
    mouse.move_to(0.3, 0.2)
    assert drawn() and not drawn()
    mouse.press()
    assert drawn() and not drawn()
    mouse.release()
    assert drawn()
    entry = DirectEntry(parent=r.base.aspect2d, scale=0.05, focus=1)
    assert drawn() and not drawn()  # it got the focus; then its cursor waits to blink
    entry.hide()
    assert not drawn()  # a hidden entry's focus draws nothing
    entry.destroy()
    assert not drawn()


def test_a_focused_entry_draws_when_typed_in_and_when_its_cursor_blinks(redraw):
    r, _, clock, _, _, drawn = redraw
    entry = DirectEntry(parent=r.base.aspect2d, scale=0.05, focus=1)
    entry.guiItem.setBlinkRate(4.0)  # toggles every 1/8 s, well inside the keepalive
    assert drawn() and not drawn()
    clock.t += 0.1
    assert not drawn()
    clock.t += 0.025
    assert drawn() and not drawn()  # the cursor blinked
    entry.enterText("ab")
    assert drawn() and not drawn()  # new text; the blink counts from here
    clock.t += 0.1
    assert not drawn()
    entry.guiItem.setCursorPosition(0)
    assert drawn() and not drawn()  # the cursor moved
    entry["focus"] = 0
    assert drawn() and not drawn()  # it lost the focus: its look changed
    clock.t += KEEPALIVE_S / 2
    assert not drawn()
    entry.destroy()


def test_an_idle_focused_entry_draws_a_few_frames_a_second(redraw):
    r, _, clock, _, _, drawn = redraw
    entry = DirectEntry(parent=r.base.aspect2d, scale=0.05, focus=1)
    frames = 0
    for _ in range(120):  # two seconds at 60 frames per second
        clock.t += 1 / 60
        frames += drawn()
    assert 3 <= frames <= 6  # the cursor toggles twice a second (blink rate 1)
    entry.destroy()


class FakeUnit:
    def __init__(self, name, params, rect):
        self.name, self.params, self.rect = name, frozenset(params), rect

    def covers(self, x, y, size):
        x0, x1, y0, y1 = self.rect  # in -1..1 here
        return x0 <= x <= x1 and y0 <= y <= y1


class FakeCache:
    """What a GuiCache hears from the redraw: each drawn frame's touched units, refreshes."""

    def __init__(self):
        self.units = [FakeUnit("left", ["hue"], (-1, 0, -1, 1)),
                      FakeUnit("right", ["yaw"], (0, 1, -1, 1))]
        self.frames, self.refreshes, self.idles = [], 0, 0

    def frame(self, touched):
        self.frames.append(sorted(u.name for u in touched))

    def refresh(self):
        self.refreshes += 1

    def idle(self):
        self.idles += 1

    def unit_of(self, node):
        return None


def test_the_gui_cache_hears_which_units_each_drawn_frame_touched(redraw):
    r, params, clock, _, mouse, drawn = redraw
    cache = FakeCache()
    wide = [False]
    r.attach_cache(cache, wide=lambda: wide[0])
    params.set("yaw", 10.0)
    assert drawn() and cache.frames[-1] == ["right"] and cache.refreshes == 0
    assert not drawn() and cache.idles == 1
    r.request(units=False)  # an inference result: its views are no unit
    assert drawn() and cache.frames[-1] == [] and cache.refreshes == 0
    mouse.move_to(-0.5, 0.0)
    assert drawn() and cache.frames[-1] == ["left"]
    mouse.move_to(0.5, 0.0)  # it left one unit for the other
    assert drawn() and cache.frames[-1] == ["left", "right"]
    params.set("show_predictions", 0)  # no unit shows it: any unit may have changed
    assert drawn() and cache.refreshes == 1
    r.request()
    assert drawn() and cache.refreshes == 2
    wide[0] = True  # (the sensitivity bars beside every slider)
    params.set("hue", 0.5)
    assert drawn() and cache.frames[-1] == ["left"] and cache.refreshes == 3
    clock.t += KEEPALIVE_S
    assert drawn() and cache.refreshes == 4


def window_pixel(app, x: float, z: float) -> np.ndarray:
    from game.tools.recording.export import window_image

    image = window_image(app)
    h, w = image.shape[:2]
    return image[int((1 - z) / 2 * h), int((x + 1) / 2 * w)].astype(int)


def test_hovering_a_button_is_drawn_and_stays_on_screen(background_file):
    app = sphere_box_app(background_file)
    try:
        app.step(4)
        button = app.scene_panel.controls.apply_button
        left, right, bottom, top = button["frameSize"]
        centre = app.base.render2d.getRelativePoint(
            button, Point3((left + right) / 2, 0, (bottom + top) / 2))
        app.virtual_mouse.move_to(0.99, -0.99)
        app.step(2)
        plain = window_pixel(app, centre.x, centre.z)
        app.virtual_mouse.move_to(centre.x, centre.z)
        app.step()
        hovered = window_pixel(app, centre.x, centre.z)
        assert (hovered > plain).all()  # the rollover look is lighter
        drawn = app.redraw.drawn
        app.step(3)
        assert app.redraw.drawn == drawn  # nothing changed: not drawn, still shown
        assert (window_pixel(app, centre.x, centre.z) == hovered).all()
        app.virtual_mouse.move_to(0.99, -0.99)
        app.step()
        assert (window_pixel(app, centre.x, centre.z) == plain).all()
    finally:
        app.destroy()


def test_a_failing_gui_cache_is_dropped_and_the_window_still_drawn(redraw, caplog):
    r, params, _, _, _, drawn = redraw

    class Broken(FakeCache):
        destroyed = False

        def frame(self, touched):
            raise RuntimeError("no buffer")

        def destroy(self):
            self.destroyed = True

    cache = Broken()
    r.attach_cache(cache)
    params.set("hue", 0.4)
    assert drawn()
    assert r.cache is None and cache.destroyed
    assert "the GUI cache failed" in caplog.text
    params.set("hue", 0.5)
    assert drawn() and not drawn()


def test_a_suspended_window_is_never_drawn_nor_its_frames_stretched(redraw):
    r, params, _, sleeps, _, drawn = redraw
    r.suspend(True)
    for value in (0.1, 0.2, 0.3):
        params.set("hue", value)
        r.request()
        assert not drawn()
    assert sleeps == [] and r.drawn == 1  # the first frame, before the suspension
    r.suspend(False)
    assert drawn() and not drawn()  # drawn whole once, then only on changes again
