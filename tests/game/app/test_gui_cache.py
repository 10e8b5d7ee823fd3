"""Parts of the GUI shown from a picture while untouched: the same pixels, the same clicks."""
import time

import numpy as np
import pytest
from panda3d.core import Point3

from game.app.gui_cache import QUIET_S, pixel_cells, rectangles
from game.core.texconv import texture_to_numpy
from tests.game.conftest import sphere_box_app


@pytest.fixture(scope="module")
def app(background_file):
    a = sphere_box_app(background_file)
    a.featvis.paused = True
    a.step(3)
    yield a
    a.destroy()


def settle(app) -> None:
    """Every untouched unit cached: the quiet time passes, one frame takes the picture."""
    app.virtual_mouse.move_to(0.99, -0.99)  # over no unit
    app.step()
    time.sleep(QUIET_S + 0.05)
    app.redraw.request(units=False)
    app.step(2)


def shot(app) -> np.ndarray:
    return texture_to_numpy(app.base.win.getScreenshot())


def live_shot(app) -> np.ndarray:
    """The window as drawn with every unit live (no cache), in the same state."""
    app.gui_cache.set_enabled(False)
    app.redraw.request(units=False)
    app.step()
    image = shot(app)
    app.gui_cache.set_enabled(True)
    return image


def assert_looks_live(app) -> None:
    app.engine.wait_idle()
    app.step(2)  # the views show the last result
    cached, live = shot(app).astype(int), live_shot(app).astype(int)
    diff = np.abs(cached - live).max(axis=-1)
    # The picture's texture blends a few letters' edges one level off the window's.
    assert diff.max() <= 1
    assert (diff > 0).mean() < 2e-4


def units(app) -> dict:
    return {u.name: u for u in app.gui_cache.units}


def slider_point(app, name: str, fraction: float) -> tuple[float, float]:
    slider = app.scene_panel.sliders[name].slider
    x0, x1, _, _ = slider["frameSize"]
    p = app.base.render2d.getRelativePoint(slider, Point3(x0 + fraction * (x1 - x0), 0, 0))
    return p.x, p.z


def click(app, x: float, y: float) -> None:
    mouse = app.virtual_mouse
    mouse.move_to(x, y)
    app.step()
    mouse.press()
    app.step()
    mouse.release()
    app.step()


def test_untouched_units_are_shown_from_the_picture_with_the_pixels_drawn_live(app):
    settle(app)
    assert [u.name for u in app.gui_cache.units if u.live] == []
    assert all(u.rect is not None for u in app.gui_cache.units)
    assert_looks_live(app)


def test_a_camera_change_draws_only_the_camera_group_live_and_takes_no_picture(app):
    settle(app)
    pictures = app.gui_cache.pictures
    for k in range(4):
        app.params.set("yaw", -40.0 + k)
        app.step()
    assert [u.name for u in app.gui_cache.units if u.live] == ["group-camera"]
    assert app.gui_cache.pictures == pictures
    assert_looks_live(app)  # the yaw slider's thumb and read-out are where they should be


def test_a_parameter_of_a_cached_group_shows_in_the_same_frame(app):
    settle(app)
    app.params.set("hue", 0.3)
    app.step()
    assert units(app)["group-post"].live
    assert_looks_live(app)


def test_a_parameter_no_unit_shows_gives_every_unit_a_new_picture(app):
    settle(app)
    pictures = app.gui_cache.pictures
    app.params.set("show_predictions", 0)
    app.step()
    assert app.gui_cache.pictures == pictures + 1
    app.params.set("show_predictions", 1)
    app.step()
    assert_looks_live(app)


def test_clicks_reach_the_sliders_of_cached_units(app):
    settle(app)
    before = app.params["texture_blur"]
    click(app, *slider_point(app, "texture_blur", 0.9))
    assert app.params["texture_blur"] > before


def test_an_open_menu_takes_the_clicks_over_cached_units(app):
    """The menu's click-catcher (aspect2d) outranks the cached units' widgets: a click
    on a slider under it closes the menu and leaves the slider alone."""
    settle(app)
    menu = app.scene_panel.object_menu.menu
    x0, x1, z0, z1 = menu.getBounds()
    centre = app.base.render2d.getRelativePoint(menu, Point3((x0 + x1) / 2, 0, (z0 + z1) / 2))
    click(app, centre.x, centre.z)
    assert not menu.popupMenu.isHidden()
    time.sleep(QUIET_S + 0.05)
    app.step(2)  # the menu's unit cached again under the open menu
    assert_looks_live(app)
    before = app.params["lighting_influence"]
    click(app, *slider_point(app, "lighting_influence", 0.1))
    assert menu.popupMenu.isHidden()
    assert app.params["lighting_influence"] == before


def test_a_resized_window_gets_a_picture_of_its_size(app):
    settle(app)
    win = app.base.win
    win.setSize(1024, 640)
    try:
        app.step(2)
        settle(app)
        assert app.gui_cache.texture.getXSize() == 1024
        assert [u.name for u in app.gui_cache.units if u.live] == []
        assert_looks_live(app)
    finally:
        win.setSize(1280, 800)
        app.step(2)


def test_cells_cover_each_box_and_its_margin():
    origin, grid = pixel_cells([(-1.0, -0.99, -1.0, -0.99), (0.0, 0.01, 0.0, 0.01)], (400, 400))
    assert origin == (0, 0)
    # 0..2 px, 2 px of margin: cells 0..1 (4 px each); 200..202 px -> 198..204: cells 49..50
    assert grid.shape == (51, 51)
    assert set(zip(*np.nonzero(grid))) == {(r, c) for r in (0, 1) for c in (0, 1)} | {
        (r, c) for r in (49, 50) for c in (49, 50)}


def test_rectangles_cover_exactly_the_true_cells():
    rng = np.random.default_rng(3)
    grid = rng.random((20, 30)) < 0.4
    grid[5:12, 3:20] = True
    covered = np.zeros_like(grid, int)
    for c0, c1, r0, r1 in rectangles(grid):
        covered[r0:r1, c0:c1] += 1
    assert (covered == grid).all()  # each True cell once, no False cell
