"""The three-column window, the scene view and its texture, rendered through EGL."""
from pathlib import Path

import pytest
from panda3d.core import Filename, PNMImage, SamplerState, Texture

OUT = Path(__file__).resolve().parents[2] / "out"


def frame_rect(frame):
    """(left, right, bottom, top) of a DirectFrame in aspect2d coordinates."""
    x0, x1, z0, z1 = frame["frameSize"]
    p = frame.getPos(frame.getParent())
    return p.x + x0, p.x + x1, p.z + z0, p.z + z1


def gradient_texture(checker=16):
    img = PNMImage(224, 224)
    for x in range(224):
        for y in range(224):
            img.setXel(x, y, x / 223, y / 223, ((x // checker + y // checker) % 2) * 0.8)
    tex = Texture("gradient")
    tex.load(img)
    return tex


def render(base):
    base.graphicsEngine.renderFrame()
    base.graphicsEngine.renderFrame()
    img = PNMImage()
    assert base.win.getScreenshot().store(img)
    return img


def view_pixels(ui):
    """Pixel rect (x0, x1, y0, y1) of the scene view, y down from the window top."""
    left, right, bottom, top = ui.layout.scene_view_bounds()
    w, h = ui.base.win.getXSize(), ui.base.win.getYSize()
    return ((left + 1) / 2 * w, (right + 1) / 2 * w, (1 - top) / 2 * h, (1 - bottom) / 2 * h)


def test_three_titled_columns_left_to_right(ui):
    lay, ar = ui.layout, ui.base.getAspectRatio()
    titles = [c.title["text"] for c in lay.columns.values()]
    assert titles == ["Scene", "Models", "Predictions"]
    rects = [frame_rect(f) for f in (lay.left, lay.middle, lay.right)]
    for (l0, r0, _, _), (l1, _, _, _) in zip(rects, rects[1:]):
        assert r0 < l1  # side by side, not overlapping
    widths = [r - l for l, r, _, _ in rects]
    assert widths[0] > widths[1] > 0 and widths[0] > widths[2] > 0
    for l, r, b, t in rects:
        assert -ar <= l and r <= ar and -1 <= b and t <= 1


def test_scene_view_is_a_square_at_the_top_left(ui):
    x0, x1, y0, y1 = view_pixels(ui)
    assert x1 - x0 == pytest.approx(y1 - y0, abs=0.5)
    assert x1 - x0 == pytest.approx(336, abs=1)  # 224 shown 1.5x at 1280x800
    assert x0 < 40 and y0 < 60
    cx, cy = (x0 + x1) / 2 / 640 - 1, 1 - (y0 + y1) / 2 / 400
    assert ui.layout.in_scene_view(cx, cy)
    assert not ui.layout.in_scene_view(0.0, 0.0)


def test_scene_texture_is_shown_with_nearest_filtering(ui):
    img = PNMImage(224, 224)
    for x in range(224):
        for y in range(224):
            v = (x + y) % 2  # one-pixel checkerboard: any blending shows as grey
            img.setXel(x, y, v, v, v)
    tex = Texture("checker")
    tex.load(img)
    ui.layout.set_scene_texture(tex)
    shot = render(ui.base)
    x0, x1, y0, y1 = view_pixels(ui)
    values = {round(shot.getGray(int(x), int(y)) * 255)
              for x in range(int(x0) + 2, int(x1) - 2, 3) for y in range(int(y0) + 2, int(y1) - 2, 5)}
    assert values == {0, 255}
    assert tex.getMagfilter() == SamplerState.FT_default  # the caller's texture untouched


def test_scene_view_shows_the_texture_the_right_way_up(ui):
    ui.layout.set_scene_texture(gradient_texture())
    shot = render(ui.base)
    x0, x1, y0, y1 = view_pixels(ui)
    top_left = shot.getXel(int(x0) + 3, int(y0) + 3)
    bottom_right = shot.getXel(int(x1) - 3, int(y1) - 3)
    assert top_left[0] < 0.1 and top_left[1] < 0.1          # PNMImage (0, 0) is its top-left
    assert bottom_right[0] > 0.9 and bottom_right[1] > 0.9


def test_clicks_in_the_scene_view_reach_the_app(ui, pointer):
    heard = []
    ui.base.accept("mouse1", lambda: heard.append("mouse1"))
    left, right, bottom, top = ui.layout.scene_view_bounds()
    pointer.move_to((left + right) / 2, (bottom + top) / 2)
    pointer.click()
    assert heard == ["mouse1"]


def test_real_clicks_reach_the_panel(ui, pointer):
    heard = []
    ui.base.accept("mouse1", lambda: heard.append("mouse1"))
    ui.params.set("hue", 0.3)
    row = ui.panel.sliders["hue"]
    b = row.value_button.getBounds()
    p = row.value_button.getParent().getTop().getRelativePoint(
        row.value_button, ((b[0] + b[1]) / 2, 0, (b[2] + b[3]) / 2))
    pointer.move_to(p.x, p.z)
    pointer.click()
    assert ui.params["hue"] == 0.0
    assert heard == []  # DirectGUI kept the click (so the view test above means something)


def test_screenshot_1280x800(ui):
    assert (ui.base.win.getXSize(), ui.base.win.getYSize()) == (1280, 800)
    ui.panel.set_morph_label("Catness")
    ui.layout.set_scene_texture(gradient_texture())
    ui.calls.code_result = "0:3(12): error: syntax error, unexpected IDENTIFIER"
    ui.panel.controls.apply_code()
    ui.params.set("hue", 0.25)
    ui.params.set("patch_shuffle", 4)
    ui.step()
    render(ui.base)
    OUT.mkdir(exist_ok=True)
    path = OUT / "ui_layout.png"
    assert ui.base.win.saveScreenshot(Filename.fromOsSpecific(str(path)))
    saved = PNMImage(Filename.fromOsSpecific(str(path)))
    assert (saved.getXSize(), saved.getYSize()) == (1280, 800)


def test_backdrop_is_drawn_only_around_and_between_the_columns(ui, showbase):
    """The columns draw no quad: the panel colour under them is the window's clear (or,
    for a window that clears to something else, one quad under the layout); the backdrop
    colour shows in the margins and gaps, drawn as one geometry."""
    from panda3d.core import PGFrameStyle

    from ui import theme
    from ui.layout import CLEAR, MainLayout

    lay = ui.layout
    assert all(c.frame["relief"] is None for c in lay.columns.values())
    margins = lay._margins.findAllMatches("**/+GeomNode")
    assert margins.getNumPaths() == 1 and margins[0].node().getNumGeoms() == 1
    img = render(ui.base)
    w, h = img.getXSize(), img.getYSize()

    def colour(x_aspect, z):  # aspect2d coordinates -> the pixel's colour
        ar = ui.base.getAspectRatio()
        px, py = int((x_aspect / ar + 1) / 2 * w), int((1 - z) / 2 * h)
        return tuple(round(img.getXel(px, py)[i], 2) for i in range(3))

    left, middle, right = (frame_rect(f) for f in (lay.left, lay.middle, lay.right))
    gap = (left[1] + middle[0]) / 2
    assert colour(gap, 0.0) == pytest.approx(theme.WINDOW_BG[:3], abs=0.01)
    assert colour(middle[0] + 0.02, -0.95) == pytest.approx(CLEAR[:3], abs=0.01)
    assert colour(right[0] + 0.02, 0.999) == pytest.approx(theme.WINDOW_BG[:3], abs=0.01)
    own = MainLayout(showbase.aspect2d, showbase.getAspectRatio(), clear=True)
    assert own._under is None  # the app: its window clears to CLEAR
    assert lay._under.guiItem.getFrameStyle(0).getType() != PGFrameStyle.TNone
    own.destroy()
