"""The sweep panel in the app: the form, a 2x2 sweep end to end in a worker process,
errors in the panel, cancel, the window stepping meanwhile, gamepad focus."""
import time
from pathlib import Path

import pytest

from game.core.params import ParamError
from game.core.parsers import parse_channels
from game.tools.sweep.tool import (MAX_POINTS, SweepForm, chunk_size, parse_form, sweepable,
                                   thumb_size)
from tests.game.conftest import sphere_box_app

TINY = "py:tests.game.batch.sweep.tiny_models:conv"
OUT = Path(__file__).resolve().parents[2] / "out"


# -- the form, no GUI ----------------------------------------------------------------------
def test_a_good_form_becomes_a_plan():
    plan = parse_form(SweepForm(x="yaw", x_range=("-90", "90", "3"), y="hue",
                                y_range=("-0.5", " 0.5", "2"), slots=("model1", "model2"),
                                layer="c0", channels="1, 4 5"), lambda _layer: 6)
    assert [(a.name, a.start, a.stop, a.n) for a in plan.axes] == [("yaw", -90, 90, 3),
                                                                   ("hue", -0.5, 0.5, 2)]
    assert plan.points == 6 and plan.channels == (1, 4, 5) and plan.layer == "c0"
    one = parse_form(SweepForm(y="", layer=""))
    assert len(one.axes) == 1 and one.layer is None and one.channels == ()


@pytest.mark.parametrize("change, message", [
    (dict(x_range=("-500", "90", "3")), "out of range"),
    (dict(x_range=("a", "90", "3")), "is not a number"),
    (dict(y_range=("-10", "10", "2.5")), "is not a whole number"),
    (dict(y_range=("-10", "10", "0")), "steps"),
    (dict(y="yaw"), "same parameter"),
    (dict(x=""), "choose a parameter"),
    (dict(slots=()), "at least one model"),
    (dict(layer="c0", channels="3, 9"), "not a channel"),
    (dict(layer="c0", channels="x"), "not a whole number"),
    (dict(x_range=("0", "10", "100"), y_range=("0", "10", "100")), f"at most {MAX_POINTS}"),
])
def test_a_bad_form_says_why(change, message):
    form = SweepForm(**{**SweepForm().__dict__, **change})
    with pytest.raises(ParamError, match=message):
        parse_form(form, lambda _layer: 6)


def test_helpers():
    assert "patch_shuffle" not in sweepable() and "yaw" in sweepable()
    assert parse_channels(" 3,4 ") == (3, 4) and parse_channels("") == ()
    assert thumb_size([type("A", (), {"n": 5})()]) == 32 and chunk_size(4) == 1
    assert chunk_size(25) == 3 and chunk_size(400) == 16


# -- in the app ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app(background_file):
    from tests.game.batch.sweep import tiny_models

    a = sphere_box_app(background_file)
    tool = a.tools["sweep"]
    tool.spec_of = lambda slot: TINY if slot in ("model1", "model2") else None
    tool.layer_model = tiny_models.conv
    a.step(3)
    yield a
    a.destroy()


def set_form(panel, x=("-60", "60", "2"), y=("-30", "10", "2"), layer="c1", channels="0, 2, 5"):
    (_, _xm, xf), (_, _ym, yf) = panel.axis_rows
    for entry, text in zip(xf + yf, x + y):
        entry.enterText(text)
    panel.layer_menu.pick(layer)
    panel.channels_entry.enterText(channels)


def run_until(app, done, timeout=300.0):
    """Step until ``done()``; (steps, longest step in s)."""
    t0, worst, steps = time.monotonic(), 0.0, 0
    while not done():
        assert time.monotonic() - t0 < timeout, "timed out"
        s = time.monotonic()
        app.step()
        worst, steps = max(worst, time.monotonic() - s), steps + 1
    return steps, worst


def test_the_button_opens_the_panel_over_the_sliders(app):
    tool = app.tools["sweep"]
    tool.button.commandFunc(None)             # a click: through app.actions.do("sweep.panel")
    assert tool.panel.is_open and app.layout.scene_panel.isHidden()
    assert tool.panel.layer_menu.value == "" or tool.panel.layer_menu.value in ("c0", "c1")
    app.actions.do("sweep.panel")
    assert not tool.panel.is_open and not app.layout.scene_panel.isHidden()


def test_a_bad_range_is_shown_in_the_panel_not_raised(app):
    tool = app.tools["sweep"]
    app.actions.do("sweep.panel")
    set_form(tool.panel, x=("-60", "600", "2"))
    assert app.actions.do("sweep.run") is False and tool.run is None
    assert "out of range" in tool.panel.message.text
    assert tool.panel.message.node.getTextColor()[0] > 0.9   # in the error colour


def test_a_2x2_sweep_runs_in_the_background_and_shows_its_pictures(app):
    tool = app.tools["sweep"]
    if not tool.panel.is_open:
        app.actions.do("sweep.panel")
    set_form(tool.panel)
    before = app.pipeline.frame.serial
    assert app.actions.do("sweep.run") is True and tool.running
    app.params.set("hue", 0.1)                 # the window still renders new frames
    steps, worst = run_until(app, lambda: tool.run is None)
    assert "done: 4 points" in tool.message, tool.message
    new_frame = app.pipeline.frame.serial > before
    assert steps > 3 and worst < 5.0 and new_frame  # never one long blocking step
    (title, image, legend), = tool.shown.heatmaps
    assert image.shape == (2 * 24, 2 * 24, 3) and title.startswith("Model 1")
    assert sum(count for _l, _c, count in legend) == 4
    pic = tool.panel.heatmaps[0]
    assert (pic.texture.getXSize(), pic.texture.getYSize()) == (48, 48)
    assert not pic.root.isHidden() and tool.panel.heatmaps[1].root.isHidden()
    assert [t for t, _ in tool.shown.tunings] == ["c1 #0", "c1 #2", "c1 #5"]
    th = tool.job.thumb
    assert all(img.shape == (2 * th, 2 * th, 3) for _, img in tool.shown.tunings)
    assert tool.panel.tunings[0].texture.getXSize() == 2 * th
    assert "4/4 points" in tool.panel.progress_text.text
    app.save_window_screenshot(OUT / "test_sweep_panel.png")


def test_cancel_keeps_the_results_so_far(app):
    tool = app.tools["sweep"]
    set_form(tool.panel, x=("-60", "60", "6"), y=("-30", "10", "6"))
    assert app.actions.do("sweep.run")
    run_until(app, lambda: tool.run is None or tool.run.finished >= 4)
    assert app.actions.do("sweep.cancel") is True
    assert "cancelled after" in tool.message and tool.run is None
    assert tool.shown.heatmaps[0][1].shape == (6 * 24, 6 * 24, 3)
    assert app.actions.do("sweep.cancel") is False     # nothing running


def test_the_gamepad_focus_reaches_the_panels_controls(app):
    from game.app.input.focus import Focus

    tool = app.tools["sweep"]
    widgets = Focus(app.base.aspect2d).refresh()
    p = tool.panel
    for w in (p.run_button, p.channels_entry, p.layer_menu.menu, p.axis_rows[0][1].menu,
              p.axis_rows[1][2][2], p.model_buttons["model1"], p.close_button, tool.button):
        assert w in widgets
    hidden = next(iter(app.scene_panel.sliders.values())).slider
    assert hidden not in widgets              # the sliders under the panel are out of reach
    p.close()
    assert not app.layout.scene_panel.isHidden()


def test_one_panel_over_the_sliders_at_a_time(app):
    tool, editing = app.tools["sweep"], app.tools["editing"]
    app.actions.do("sweep.panel")
    editing.open_panel()                       # "Edit..." over the sweep panel
    app.step(2)
    assert editing.panel.is_open and not tool.panel.is_open
    assert app.layout.scene_panel.isHidden()
    app.actions.do("sweep.panel")                      # and back: the edit panel closes
    assert tool.panel.is_open and not editing.panel.is_open
    assert app.layout.scene_panel.isHidden()
    tool.close_panel()
    assert not app.layout.scene_panel.isHidden()


class _RaceRun:
    """A run whose last result arrives right after the tool took the partial results."""
    total, error = 4, None

    def __init__(self):
        self.results, self.arrived = [object()] * 3, False

    @property
    def done(self):
        return self.arrived

    @property
    def finished(self):
        return len(self.results)

    def partial(self):
        got = list(self.results)
        if not self.arrived:  # the background thread adds the last one now
            self.results, self.arrived = self.results + [object()], True
        return got

    def cancel(self):
        pass


def test_a_result_arriving_while_the_frame_shows_the_others_is_shown_too(app, monkeypatch):
    tool = app.tools["sweep"]
    shown = []
    monkeypatch.setattr(tool, "_show_results",
                        lambda results, finished: (shown.append(len(results)),
                                                   setattr(tool.shown, "finished", finished)))
    tool.started, tool.run = time.perf_counter(), _RaceRun()
    tool.shown.finished = 0
    task = type("Task", (), {"cont": 1})()
    for _ in range(3):
        tool._task(task)
    assert shown == [3, 4] and tool.run is None and "done: 4 points" in tool.message
