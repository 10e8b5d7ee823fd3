"""The enlarged picture: opened by a click on a class picture, a prediction row or a feature
visualisation (or the gamepad's press), closed by a click anywhere or Escape; it names what
it shows and where it comes from, and says what a missing one costs before making it."""
from types import SimpleNamespace

import numpy as np
import pytest
from direct.showbase.MessengerGlobal import messenger
from panda3d.core import Point3

from game.core.params import ParamState
from game.core.texconv import texture_to_numpy
from game.tools.featvis.service import VisStatus
from ui import theme
from ui.activation_view import ActivationView
from ui.enlarged_picture import CLASS, FEATURE, PICTURE, EnlargedPicture
from ui.prediction_view import PredictionView

from .conftest import step
from .fake_results import TOP5_M1, TOP5_M2, output, picture, plausible, result, top

MISSING = VisStatus("missing", steps=256, estimate=25.0)


@pytest.fixture
def parts(showbase):
    """The prediction and activation views with the enlarged picture hooked up; ``statuses``
    is what the visualisation service says per key (missing with a 25 s estimate else)."""
    statuses, made, ready = {}, [], {}
    big = EnlargedPicture(showbase.aspect2d, lambda s: statuses.get(s.key, MISSING),
                          made.append)
    params = ParamState()
    preds = PredictionView(showbase.aspect2d, params, theme.px(258), theme.px(600),
                           (0.55, 0.95), lambda *key: ready.get(key), lambda *key: None)
    preds.set_class_vis(lambda *key: statuses.get(key, MISSING), big.open)
    acts = ActivationView(showbase.aspect2d, params, theme.px(318), theme.px(560), (-1.5, 0.9),
                          ["block13"], lambda *key: ready.get(key), lambda *key: None,
                          lambda *key: statuses.get(key, MISSING))
    acts.set_enlarge(big.open)
    step(showbase)
    yield SimpleNamespace(base=showbase, big=big, preds=preds, acts=acts, statuses=statuses,
                          made=made, ready=ready)
    acts.destroy()
    preds.destroy()
    big.destroy()


def centre(node, base):
    """The middle of ``node`` (a card, or a DirectGUI widget by its frame) in render2d
    coordinates (where the pointer goes)."""
    if hasattr(node, "guiItem"):
        x0, x1, z0, z1 = node.getBounds()
        p = base.render2d.getRelativePoint(node, Point3((x0 + x1) / 2, 0, (z0 + z1) / 2))
        return p.x, p.z
    lo, hi = node.getTightBounds(base.render2d)
    return (lo.x + hi.x) / 2, (lo.z + hi.z) / 2


def click_on(pointer, node):
    pointer.move_to(*centre(node, pointer.base))
    pointer.click()


def on_screen_px(node, base):
    """(width, height) of ``node`` in window pixels."""
    lo, hi = node.getTightBounds(base.render2d)
    return (hi.x - lo.x) / 2 * base.win.getXSize(), (hi.z - lo.z) / 2 * base.win.getYSize()


def two_models():
    return result(output("model1", tops=top(TOP5_M1)), output("model2", tops=top(TOP5_M2)))


def test_a_click_on_a_class_picture_opens_it_large_and_a_click_anywhere_closes_it(parts, pointer):
    key = ("mobilenet_v2", 0, 281)
    parts.ready[key] = picture("tabby", 128)
    parts.statuses[key] = VisStatus("done", parts.ready[key], 1.0, steps=256, shipped=True)
    parts.preds.update(two_models())
    big = parts.big
    assert not big.is_open
    click_on(pointer, parts.preds.blocks[0].picture)
    assert big.is_open and big.subject.kind == CLASS and big.subject.key == key
    assert big.title.text == "tabby (class 281)"
    assert big.model_text.text.startswith("Model 1: MobileNetV2")
    assert big.origin.text == "class visualisation (not a photo), shipped with Perturber"
    assert big.make_button.isHidden() and big.note.text == ""
    assert texture_to_numpy(big.picture.getTexture()).shape[:2] == (128, 128)
    w, h = on_screen_px(big.picture, parts.base)
    assert w == pytest.approx(320, abs=1) and h == pytest.approx(320, abs=1)  # 1280x800
    lo, hi = big.panel.getTightBounds(parts.base.render2d)
    assert -1 <= lo.x and hi.x <= 1 and -1 <= lo.z and hi.z <= 1          # all on screen
    pointer.move_to(0.97, -0.97)                                          # anywhere else
    pointer.click()
    assert not big.is_open


def test_escape_and_the_close_button_close_it(parts, pointer):
    parts.preds.update(two_models())
    block = parts.preds.blocks[1]
    block.hit.commandFunc(None)                           # the gamepad's press on the picture
    assert parts.big.is_open and parts.big.title.text == "tiger cat (class 282)"
    assert parts.big.model_text.text.startswith("Model 2: EfficientNet")
    messenger.send("escape")
    assert not parts.big.is_open
    block.enlarge()
    click_on(pointer, parts.big.close_button)
    assert not parts.big.is_open


def test_a_click_on_a_prediction_row_shows_that_class(parts, pointer):
    parts.preds.update(two_models())
    click_on(pointer, parts.preds.blocks[0].rows[2].track)
    assert parts.big.is_open and parts.big.title.text == "Egyptian cat (class 285)"


def test_a_missing_picture_says_its_cost_and_the_button_makes_it(parts, pointer):
    parts.preds.update(two_models())
    parts.preds.blocks[0].enlarge()
    big = parts.big
    assert big.origin.text.endswith("not made yet")
    assert big.note.text == "not made yet: making it takes ~25 s of CPU here"
    assert big.make_button["text"] == "Make it (~25 s)" and not big.make_button.isHidden()
    subject = big.subject
    parts.statuses[subject.key] = VisStatus("queued", steps=256, estimate=25.0)
    click_on(pointer, big.make_button)
    assert parts.made == [subject] and big.is_open       # the button is no click "anywhere"
    assert big.note.text == "queued: it takes ~25 s of CPU here once it starts"
    assert big.make_button.isHidden()


def test_a_picture_being_made_shows_the_picture_so_far_and_its_step(parts):
    green = np.zeros((8, 8, 3), np.uint8)
    green[..., 1] = 255
    parts.preds.update(two_models())
    parts.preds.blocks[0].enlarge()
    big = parts.big
    parts.statuses[big.subject.key] = VisStatus("running", progress=0.375, preview=green,
                                                revision=5, steps=256, estimate=25.0)
    big.refresh()
    assert texture_to_numpy(big.picture.getTexture())[0, 0].tolist() == [0, 255, 0]
    assert big.band[2].text == "step 96/256" and not big.band[0].isHidden()
    assert big.status_text.text == "making it: step 96/256 (38 %), ~25 s of CPU here in all"
    parts.statuses[big.subject.key] = VisStatus("failed", error="out of patience",
                                                steps=256, estimate=25.0)
    big.refresh()
    assert big.note.text == "making it failed:\nout of patience" and big.band[0].isHidden()
    assert big.make_button["text"] == "Try again (~25 s)"


def test_a_click_on_a_feature_visualisation_opens_that_channel(parts, pointer):
    acts, big = parts.acts, parts.big
    acts.update(plausible())
    row = acts.rows[0]
    key = ("mobilenet_v2", 0, "block13", row.channels[1])
    parts.ready[key] = picture("ch", 128)
    parts.statuses[key] = VisStatus("done", parts.ready[key], 1.0, steps=256)
    acts.refresh_featvis()
    click_on(pointer, row.featvis[1])
    assert big.is_open and big.subject == big.subject.__class__(
        key, f"block13 #{row.channels[1]}", big.subject.model, FEATURE)
    assert big.origin.text == "feature visualisation, computed here"
    big.close()
    row.enlarge_hit.commandFunc(None)             # the gamepad: the one after, around the row
    assert big.subject.key[3] == row.channels[2]
    for _ in range(row.count - 2):
        row.enlarge_hit.commandFunc(None)
    assert big.subject.key[3] == row.channels[0]


def test_the_play_button_still_takes_its_click(parts, pointer):
    requested = []
    parts.acts.on_request_featvis = lambda *key: requested.append(key)
    parts.acts.set_enlarge(parts.big.open)                 # rows again, with that request
    parts.acts.update(plausible())
    row = parts.acts.rows[0]
    click_on(pointer, row.request_buttons[0])
    assert requested and requested[0][-1] == row.channels[0] and not parts.big.is_open


def test_a_missing_feature_visualisation_says_its_cost(parts):
    acts = parts.acts
    acts.update(plausible())
    row = acts.rows[0]
    assert row.size >= theme.px(52)                      # 4 maps: room under the play button
    assert row.costs[0].text == "~25 s" and row.no_vis[0].text == "no vis"
    acts.params.set("n_neurons", 8)                      # small slots: the note says it
    row = acts.rows[0]
    assert row.size < theme.px(52)
    assert row.no_vis[0].text == "~25 s" and row.costs[0].text == ""
    parts.statuses[("mobilenet_v2", 0, "block13", row.channels[0])] = \
        VisStatus("queued", steps=256, estimate=25.0)
    acts.refresh_progress()
    assert row.bars[0][2].text == "queued" and row.no_vis[0].np.isHidden()
    acts.params.set("n_neurons", 3)                      # wide: the cost beside "queued"
    parts.statuses[("mobilenet_v2", 0, "block13", acts.rows[0].channels[0])] = \
        VisStatus("queued", steps=256, estimate=25.0)
    acts.refresh_progress()
    assert acts.rows[0].bars[0][2].text == "queued, ~25 s"


def test_the_enlarged_view_is_drawn_big_and_readable(parts, tmp_path):
    """Rendered: the picture's colour fills a 320-px square in the middle of the window."""
    from panda3d.core import Filename
    from PIL import Image

    key = ("mobilenet_v2", 0, 281)
    red = np.zeros((128, 128, 3), np.uint8)
    red[..., 0] = 230
    parts.ready[key] = red
    parts.statuses[key] = VisStatus("done", red, 1.0, steps=256, shipped=True)
    parts.preds.update(two_models())
    parts.preds.blocks[0].enlarge()
    step(parts.base, 2)
    path = tmp_path / "big.png"
    assert parts.base.win.saveScreenshot(Filename.fromOsSpecific(str(path)))
    shot = np.asarray(Image.open(path).convert("RGB")).astype(int)
    lo, hi = parts.big.picture.getTightBounds(parts.base.render2d)
    w, h = parts.base.win.getXSize(), parts.base.win.getYSize()
    x0, x1 = int((lo.x + 1) / 2 * w), int((hi.x + 1) / 2 * w)
    y0, y1 = int((1 - hi.z) / 2 * h), int((1 - lo.z) / 2 * h)
    inside = shot[y0 + 4:y1 - 4, x0 + 4:x1 - 4]
    assert x1 - x0 >= PICTURE / 2 * h - 2 and (inside[..., 0] > 200).mean() > 0.99
    assert (inside[..., 1:] < 30).mean() > 0.99
    assert shot[5, 5].max() < 60                           # the window behind is dimmed
