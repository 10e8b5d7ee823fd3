"""The prediction view: bars, texts, class pictures, hover, collapsing; and all views together."""
from pathlib import Path

import numpy as np
import pytest
from panda3d.core import Filename, PNMImage

from game.core.params import ParamState
from ui import theme
from ui.bars import bar_fraction, bar_text
from ui.layout import MainLayout
from ui.prediction_block import CAPTION, PLACEHOLDER
from ui.prediction_view import PredictionView

from .conftest import step
from .fake_results import TOP5_M1, TOP5_M2, choices, output, picture, plausible, result, top

SCREENSHOT = Path(__file__).resolve().parents[2] / "out" / "ui_views.png"


@pytest.fixture
def view(showbase):
    params = ParamState()
    ready = {}          # key -> image: what the class-visualisation cache has
    requests = []

    def lookup(model, ckpt, index):
        return ready.get((model, ckpt, index))

    v = PredictionView(showbase.aspect2d, params, theme.px(258), theme.px(730), (0.5, 0.9),
                       lookup, lambda *key: requests.append(key))
    v.ready, v.requests, v.params = ready, requests, params
    yield v
    v.destroy()


def two_models():
    return result(output("model1", tops=top(TOP5_M1)), output("model2", tops=top(TOP5_M2)))


def hover(pointer, row):
    """Move onto ``row``; the virtual mouse reaches DirectGUI one frame later."""
    pointer.move_to(*hover_point(row))
    step(pointer.base, 1)


def hover_point(row):
    b = row.hit["frameSize"]
    p = row.hit.getTop().getRelativePoint(row.hit, ((b[0] + b[1]) / 2, 0, (b[2] + b[3]) / 2))
    return p.x, p.z


# -- pure helpers ------------------------------------------------------------------------
def test_bar_fraction_is_prob_over_max():
    assert bar_fraction(0.25, 0.5) == 0.5
    assert bar_fraction(0.5, 0.5) == 1.0
    assert bar_fraction(0.1, 0.0) == 0.0


def test_bar_text_keeps_the_percentage_and_shortens_the_label():
    assert bar_text("tabby", 0.431, 1.0) == "tabby 43.1%"
    short = bar_text("toilet tissue, toilet paper, bathroom tissue", 0.02, theme.px(150))
    assert short.endswith("\u2026 2.0%") and short.startswith("toilet")


# -- the view, rendered ------------------------------------------------------------------
def test_one_block_per_output_with_top(view):
    view.update(result(output("model1", tops=top(TOP5_M1)), output("model2", tops=None)))
    assert [b.slot for b in view.blocks] == ["model1"]
    assert len(view.blocks[0].rows) == 5
    view.update(two_models())
    assert [b.slot for b in view.blocks] == ["model1", "model2"]
    assert "Model 2" in view.blocks[1].header["text"]


def test_bars_are_proportional_to_prob_over_the_largest_shown(view):
    view.update(two_models())
    largest = max(p for _, _, p in TOP5_M1 + TOP5_M2)      # 0.512, Model 2's tiger cat
    for block, tops in zip(view.blocks, (TOP5_M1, TOP5_M2)):
        for row, (_, label, p) in zip(block.rows, tops):
            assert row.fraction == pytest.approx(p / largest)
            assert row.bar.getSx() == pytest.approx(p / largest * row.w, rel=1e-5)
            assert row.text == f"{label} {p * 100:.1f}%"
    assert view.blocks[1].rows[0].fraction == pytest.approx(1.0)


def test_logits_mode_shows_logits_over_the_largest_logit(view):
    view.update(two_models())
    view.logits_check.button["command"]()   # the checkbox writes the parameter
    assert view.params["show_logits"] == 1
    logits = [e["logit"] for tops in (TOP5_M1, TOP5_M2) for e in top(tops)]
    largest = max(logits)
    for block, tops in zip(view.blocks, (TOP5_M1, TOP5_M2)):
        for row, entry in zip(block.rows, top(tops)):
            assert row.text == f"{entry['label']} {entry['logit']:.2f}"
            assert row.fraction == pytest.approx(max(entry["logit"], 0) / largest)
    view.params.set("show_logits", 0)        # from elsewhere (CLI, gamepad, a replay)
    assert view.blocks[0].rows[0].text == "tabby 43.1%"
    assert bar_text("tabby", 0.431, 1.0, logit=-1.5) == "tabby -1.50"


def test_collapsing_a_model_renormalises_and_hides_its_rows(view):
    view.update(two_models())
    view.blocks[1].header["command"]()                       # collapse Model 2
    assert view.collapsed == {"model2": True}
    assert view.blocks[1].body.isStashed() and "+" in view.blocks[1].header["text"]
    assert view.blocks[0].rows[0].fraction == pytest.approx(1.0)  # 0.431 is now the max
    view.toggle("model2")
    assert not view.blocks[1].body.isStashed()


def test_bar_text_reads_on_every_model_colour(view):
    view.update(result(output("model1", tops=top(TOP5_M1)), output("model2", tops=top(TOP5_M2))))
    on_dark = view.blocks[0].rows[0].text_on_bar.node.getTextColor()
    on_light = view.blocks[1].rows[0].text_on_bar.node.getTextColor()
    assert tuple(on_dark) == pytest.approx(theme.TEXT)
    assert tuple(on_light) == pytest.approx(theme.INK_DARK)
    assert theme.ink_on(theme.EDITED) == theme.INK_DARK


def test_missing_picture_is_requested_once_with_a_placeholder(view):
    view.update(two_models())
    view.update(two_models())
    assert view.requests == [("mobilenet_v2", 0, 281), ("efficientnet_lite0", 0, 282)]
    block = view.blocks[0]
    assert not block.showing_picture and not block.placeholder.np.isHidden()
    assert block.placeholder.text == PLACEHOLDER
    assert "not a photo" in block.caption.text and block.class_name.text == "tabby"
    view.ready[("mobilenet_v2", 0, 281)] = picture("tabby")
    view.refresh_class_vis()
    assert block.showing_picture and block.placeholder.np.isHidden()
    assert len(view.requests) == 2


def test_a_class_picture_not_there_says_its_cost_then_shows_its_progress(view):
    from game.core.texconv import texture_to_numpy
    from game.tools.featvis.service import VisStatus

    statuses = {}
    view.set_class_vis(lambda *key: statuses.get(key, VisStatus("missing")))
    key = ("mobilenet_v2", 0, 281)
    statuses[key] = VisStatus("queued", steps=256, estimate=25.0)   # asked for: waits its turn
    view.update(two_models())
    block = view.blocks[0]
    assert block.placeholder.text == "queued\n~25 s" and not block.placeholder.np.isHidden()
    assert block.band[0].isHidden() and block.caption.text == CAPTION
    green = np.zeros((8, 8, 3), np.uint8)
    green[..., 1] = 255
    statuses[key] = VisStatus("running", progress=0.375, preview=green, revision=2, steps=256,
                              estimate=25.0)
    view.refresh_progress()
    band, fill, text = block.band
    assert not band.isHidden() and fill.getSx() == pytest.approx(0.375)
    assert text.text in ("step 96/256", "96/256")               # as much as the picture fits
    assert texture_to_numpy(block.picture.getTexture())[0, 0].tolist() == [0, 255, 0]
    assert block.placeholder.np.isHidden() and not block.showing_picture
    view.ready[key] = picture("tabby")
    statuses[key] = VisStatus("done", view.ready[key], 1.0, steps=256)
    view.refresh_progress()
    assert block.showing_picture and band.isHidden() and block.placeholder.np.isHidden()
    statuses[("efficientnet_lite0", 0, 282)] = VisStatus("missing", steps=256, estimate=100.0)
    view.refresh_progress()
    assert view.blocks[1].placeholder.text == "not made\n~2 min"


def test_hover_shows_that_rows_class_and_leaving_restores_the_top(view, pointer):
    for index, _, _ in TOP5_M1:
        view.ready[("mobilenet_v2", 0, index)] = picture(index)
    view.update(two_models())
    block = view.blocks[0]
    top_tex = block.picture.getTexture().getName()
    hover(pointer, block.rows[2])                            # Egyptian cat
    assert block.hovered == 2
    assert block.class_name.text == "Egyptian cat"
    assert block.key == ("mobilenet_v2", 0, 285)
    assert block.picture.getTexture().getName() != top_tex
    hover(pointer, block.rows[3])                            # straight to the next row
    assert block.hovered == 3 and block.class_name.text == "lynx"
    pointer.move_to(0.99, -0.99)                             # away from every row
    step(pointer.base, 1)
    assert block.hovered is None and block.class_name.text == "tabby"
    assert block.picture.getTexture().getName() == top_tex
    assert len(view._textures) == 3  # tabby, Egyptian cat, lynx: each made once, then cached


def test_show_predictions_checkbox_writes_the_param(view):
    view.show_check.button["command"]()
    assert view.params["show_predictions"] == 0
    view.update(result(output("model1", tops=None)))
    assert view.blocks == [] and view.message.text == "predictions off"


def test_blocks_are_reused_between_updates(view):
    view.update(two_models())
    blocks = list(view.blocks)
    view.update(plausible(seed=4))
    assert view.blocks == blocks


def test_three_models_fit_the_column(view):
    view.update(plausible(slots=("model1", "model2", "edited")))
    bottom = view.blocks[-1].root.getZ() - view.blocks[-1].height
    assert -bottom <= theme.px(730)


# -- all three views in the window -------------------------------------------------------
def test_screenshot_of_all_views(showbase):
    """The Models and Predictions columns filled with plausible data at 1280x800."""
    from ui.activation_view import ActivationView
    from ui.slots_view import ModelSlotsView

    params = ParamState()
    params.update({"edited_enabled": 1, "n_neurons": 6, "neuron_group": "cat"})
    layout = MainLayout(showbase.aspect2d, showbase.getAspectRatio())
    (mw, mh), (rw, rh) = layout.columns["Models"].body_size, layout.columns["Predictions"].body_size
    pad = theme.PAD
    slots = ModelSlotsView(layout.middle_body, params, mw - 2 * pad, (pad, -pad), choices())
    slots.set_status("model2", "loading\u2026")
    top_z = slots.height + 2 * pad
    acts = ActivationView(layout.middle_body, params, mw - 2 * pad, mh - top_z - pad,
                          (pad, -top_z), [f"block{i}" for i in range(1, 17)],
                          lambda m, c, l, ch: None if ch % 5 == 0 else picture((m, l, ch), 48))
    preds = PredictionView(layout.right_body, params, rw - 2 * pad, rh - 2 * pad, (pad, -pad),
                           lambda m, c, i: None if i == 285 else picture((m, c, i), 96),
                           lambda *key: None)
    data = plausible(slots=("model1", "model2", "edited"))
    acts.update(data)
    preds.update(data)
    step(showbase, 3)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert showbase.win.saveScreenshot(Filename.fromOsSpecific(str(SCREENSHOT)))
    img = PNMImage()
    assert img.read(Filename.fromOsSpecific(str(SCREENSHOT)))
    assert (img.getXSize(), img.getYSize()) == (1280, 800)
    # Everything inside its column: the last activation row and prediction block end
    # above the column's bottom.
    for view_root, rows, h in ((acts.rows_root, acts.rows, mh - top_z - pad - acts.controls_h),
                               (preds.blocks_root, preds.blocks, rh - 2 * pad)):
        last = rows[-1]
        assert -(last.root.getZ() - last.height) <= h + 1e-6
    pixels = np.array([[img.getXel(x, y) for x in range(1000, 1270, 5)] for y in (200, 440)])
    assert pixels.max() > 0.5  # the bars really rendered
    for v in (preds, acts, slots, layout):
        v.destroy()
