"""The whole-layer grid: order, difference, layout, atlas; the panel: pages, sorting,
a click zooming a map beside its feature visualisation."""
from pathlib import Path

import numpy as np
import pytest
from panda3d.core import Filename, Point3, SamplerState

from game.core.texconv import texture_to_numpy
from ui.heatmap import maps_rgb
from ui.layer_grid import (BG, LayerGridPanel, atlas, channel_order, difference, grid_shape,
                           partner)
from ui.overlay_panel import SliderCover

from .fake_results import output, picture, result

SHOT = Path(__file__).resolve().parents[2] / "out" / "ui_layer_grid.png"
ARCH = {"mobilenet_v2": "mnv2", "edited": "mnv2", "efficientnet_lite0": "effnet"}.get


# -- pure helpers --------------------------------------------------------------------------
def test_order_by_channel_activation_and_difference():
    acts = np.zeros((4, 2, 2), np.float32)
    acts[2], acts[1] = 3.0, 1.0
    other = acts.copy()
    other[3] = 2.0                                             # differs in channel 3 only
    assert channel_order("channel", acts).tolist() == [0, 1, 2, 3]
    assert channel_order("activation", acts).tolist() == [2, 1, 0, 3]
    assert channel_order("difference", acts, 1.0, other, 1.0).tolist() == [3, 0, 1, 2]
    assert channel_order("difference", acts).tolist() == [0, 1, 2, 3]  # no other: by number
    # each model in units of its own layer's std: twice the std, half the difference
    assert difference(acts, 1.0, 2 * acts, 2.0).tolist() == [0, 0, 0, 0]
    assert difference(acts[:1] + 1, 1.0, acts[:1], 1.0).tolist() == [1.0]


def test_grid_shape_fits_every_channel_or_pages_at_the_smallest_cell():
    cols, rows, pitch = grid_shape(160, 10.0, 8.0, gap=0.0, min_cell=0.1)
    assert cols * rows >= 160 and cols * pitch <= 10.0 + 1e-9 and rows * pitch <= 8.0 + 1e-9
    assert pitch == pytest.approx(max(min(10 / c, 8 / -(-160 // c)) for c in range(1, 161)))
    cols, rows, pitch = grid_shape(1280, 10.0, 8.0, gap=0.0, min_cell=0.5)
    assert (cols, rows, pitch) == (20, 16, 0.5)                # 320 per page, 4 pages
    assert grid_shape(1, 10.0, 8.0, gap=0.0, min_cell=0.5) == (1, 1, 8.0)


def test_atlas_lays_maps_row_by_row_with_one_pixel_between():
    rgb = np.stack([np.full((2, 2, 3), k * 10, np.uint8) for k in range(5)])
    img = atlas(rgb, cols=3, rows=2)
    assert img.shape == (2 * 3 - 1, 3 * 3 - 1, 3)
    assert (img[0:2, 0:2] == 0).all() and (img[0:2, 3:5] == 10).all()
    assert (img[3:5, 3:5] == 40).all()                        # map 4: row 1, column 1
    assert (img[2] == BG).all() and (img[3:5, 6:8] == BG).all()  # gap, and no map


def test_the_partner_has_the_architecture_and_the_shape():
    acts = np.zeros((8, 2, 2), np.float32)
    m1, m2, ed = output("model1", acts), output("model2", acts), output("edited", acts)
    assert partner(m1, [m1, m2, ed], ARCH) is ed
    assert partner(ed, [m1, m2, ed], ARCH) is m1
    assert partner(m2, [m1, m2, ed], ARCH) is None
    assert partner(m1, [m1, output("edited", acts[:4])], ARCH) is None


# -- the panel -----------------------------------------------------------------------------
def grid_result(channels=160, size=14, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(0, 1, (channels, size, size)).astype(np.float32)
    b = a.copy()
    b[7] += 3.0                                               # the edit changed channel 7
    return result(output("model1", a, layer_std=1.0), output("model2", rng.normal(
        0, 1, (channels // 2, size, size)).astype(np.float32), layer_std=1.0),
        output("edited", b, layer_std=1.0))


@pytest.fixture
def grid(ui):
    requested = []
    cover = SliderCover(ui.layout.scene_panel)
    parent, w, h, pos = cover.frame()
    panel = LayerGridPanel(parent, ui.params, w, h, pos,
                           lambda m, c, l, ch: picture((m, l, ch), 48) if ch % 2 == 0 else None,
                           on_request_featvis=lambda *key: requested.append(key), arch_of=ARCH,
                           on_close=lambda: cover.closed(panel))
    cover.open(panel)
    panel.requested, panel.cover = requested, cover
    yield panel
    panel.destroy()


def click(panel, pointer, channel_position):
    """Click the centre of the ``channel_position``-th cell of the current page."""
    r, c = divmod(channel_position, panel.cols)
    x, z = (c + 0.5) * panel.pitch, -(r + 0.5) * panel.pitch
    p = panel.grid_root.getTop().getRelativePoint(panel.grid_root, Point3(x, 0, z))
    pointer.move_to(p.x, p.z)
    pointer.click()


def test_every_channel_on_one_page_in_the_chosen_order(grid):
    grid.update(grid_result())
    assert grid.is_open and grid.shown.slot == "model1" and grid.other.slot == "edited"
    assert grid.cols * grid.rows_n >= 160 and "160 channels" == grid.page_text.text
    assert grid.prev_button.isHidden()
    img = texture_to_numpy(grid.texture)
    want = maps_rgb(grid.shown.activations, [0], 1.0, 0.0)[0]
    assert np.array_equal(img[:14, :14], want)               # channel 0 top left
    assert grid.texture.getMagfilter() == SamplerState.FT_nearest  # crisp cells, updated
    grid.sort_menu.pick("difference")
    assert grid.order[0] == 7                                # the edited channel first
    grid.sort_menu.pick("activation")
    means = grid.shown.activations.mean(axis=(1, 2))
    assert grid.order[0] == int(np.argmax(means))
    assert [e.enabled for e in grid.sort_menu.entries] == [True, True, True]
    grid.model_menu.pick("model2")                           # no partner: no difference
    assert grid.shown.slot == "model2" and grid.other is None
    assert [e.enabled for e in grid.sort_menu.entries] == [True, True, False]


def test_difference_without_a_partner_says_why(grid):
    grid.update(result(output("model1", np.zeros((8, 2, 2), np.float32))))
    grid.set_sort("difference")
    assert grid.order.tolist() == list(range(8)) and "needs two models" in grid.hint.text


def test_a_click_zooms_the_map_beside_its_feature_visualisation(grid, pointer):
    grid.update(grid_result())
    grid.sort_menu.pick("difference")
    click(grid, pointer, 0)                                  # the first cell: channel 7
    assert grid.zoomed == 7
    assert [r.slot for r in grid.zoom_rows] == ["model1", "edited"]
    assert all(r.channels == (7,) for r in grid.zoom_rows)
    assert not grid.outline.isHidden()
    row = grid.zoom_rows[0]
    assert not row.featvis_shown[0] and not row.request_buttons[0].isHidden()  # 7: no vis
    row.request_buttons[0]["command"]()
    assert grid.requested == [("model1", "mobilenet_v2", 0, "block13", 7)]
    assert "#7" in grid.info.text and "difference" in grid.info.text
    click(grid, pointer, 1)
    assert grid.zoomed == int(grid.order[1])
    grid.hit.commandFunc(None)                               # the gamepad: the next one
    assert grid.zoomed == int(grid.order[2])


def test_a_zoomed_map_survives_a_result_without_activations(grid, pointer):
    """Every model switched off (or activations hidden) while a map is zoomed: the grid
    says so, and the zoom comes back with the activations."""
    grid.update(grid_result())
    click(grid, pointer, 0)
    zoomed = grid.zoomed
    grid.update(result(output("model1", None)))
    assert grid.zoom_rows == [] and grid.info.text == "click a map to zoom it"
    assert not grid.empty.np.isHidden()
    grid.update(grid_result())
    assert grid.zoomed == zoomed and f"#{zoomed}" in grid.info.text


def test_a_layer_too_big_for_one_page_pages(grid):
    grid.update(grid_result(channels=1280, size=4))
    pages = -(-1280 // (grid.cols * grid.rows_n))
    assert pages > 1 and grid.page_text.text.endswith(f"page 1/{pages}")
    first = grid.channel_at(grid.pitch / 2, -grid.pitch / 2)
    grid.next_button["command"]()
    assert grid.page == 1 and grid.channel_at(grid.pitch / 2, -grid.pitch / 2) == \
        grid.cols * grid.rows_n + first
    grid.prev_button["command"]()
    grid.prev_button["command"]()
    assert grid.page == 0


def test_screenshot(grid, ui, pointer):
    grid.update(grid_result())
    grid.sort_menu.pick("difference")
    click(grid, pointer, 0)
    ui.step(2)
    SHOT.parent.mkdir(exist_ok=True)
    assert ui.base.win.saveScreenshot(Filename.fromOsSpecific(str(SHOT)))
