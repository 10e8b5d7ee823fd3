"""Sensitivity bars beside the scene sliders: signed, normalised, dimmed when stale."""
from pathlib import Path

import pytest
from panda3d.core import Point3

from game.core.params import BY_NAME
from game.tools.sensitivity.tool import Sensitivity
from ui import theme
from ui.sensitivity_bars import NEG, POS, SensitivityBars, fmt_short

SHOT = Path(__file__).resolve().parents[2] / "out" / "ui_sensitivity_bars.png"


@pytest.fixture
def bars(ui):
    b = SensitivityBars(ui.panel.sliders, ui.base.aspect2d)
    yield b
    b.destroy()


def result(**d):
    return Sensitivity("m", 7, "tabby", 3.0, d, frozenset({"alpha"}))


def test_one_bar_per_continuous_slider_inside_its_row(bars, ui):
    assert set(bars.bars) == {n for n in ui.panel.sliders if not BY_NAME[n].integer}
    for name, bar in bars.bars.items():
        s = ui.panel.sliders[name]
        x0, x1, _, _ = s.slider["frameSize"]
        assert s.slider.getX() + x1 <= bar.x0, name                  # right of the trough
        assert bar.x0 + bar.w <= s.value_button.getX() + theme.px(14), name  # left of "0.00"
        a, b = bar.tick.getTightBounds(s.root)
        assert bar.x0 <= a.x and b.x <= bar.x0 + bar.w and -theme.ROW_H <= a.z and b.z <= 0


def test_hovering_a_bar_with_the_mouse_shows_its_tooltip(bars, ui, pointer):
    bars.show(result(hue=-3.0))
    bar = bars.bars["hue"]
    p = ui.base.render2d.getRelativePoint(bar.root, Point3(bar.centre, 0, -theme.ROW_H / 2))
    pointer.move_to(p.x, p.z)
    ui.step(2)
    assert bars.hovered == "hue" and not bars.tip.isHidden()
    pointer.move_to(p.x - 0.25, p.z)          # over the trough
    ui.step(2)
    assert bars.hovered is None and bars.tip.isHidden()


def test_lengths_are_relative_to_the_largest_change_over_a_range(bars):
    # yaw: 0.01 per degree over 360 degrees = 3.6; hue: -3 per unit over 1 = -3; alpha 0
    bars.show(result(yaw=0.01, hue=-3.0, alpha=0.0))
    assert bars.bars["yaw"].fraction == pytest.approx(1.0)
    assert bars.bars["hue"].fraction == pytest.approx(-3.0 / 3.6)
    assert bars.bars["alpha"].bar.isHidden() and bars.bars["pitch"].bar.isHidden()
    yaw, hue = bars.bars["yaw"], bars.bars["hue"]
    assert tuple(yaw.bar.getColor())[:3] == pytest.approx(POS[:3], abs=0.01)
    assert tuple(hue.bar.getColor())[:3] == pytest.approx(NEG[:3], abs=0.01)
    assert hue.bar.getX() < hue.centre and yaw.bar.getX() == pytest.approx(yaw.centre)
    assert yaw.bar.getSx() == pytest.approx(yaw.w / 2 - theme.px(1))
    bars.set_stale(True)
    assert yaw.bar.getColor()[1] < POS[1] - 0.2         # dimmed


def test_hover_tells_the_numbers(bars):
    bars.show(result(yaw=0.01, hue=-3.0, alpha=0.5))
    bars._hover("alpha", True)
    assert not bars.tip.isHidden()
    text = bars.tip_text.text
    assert "tabby" in text and "+0.5 per unit" in text and "one-sided" in text
    bars._hover("alpha", False)
    assert bars.tip.isHidden()
    bars.set_visible(False)
    assert all(b.root.isHidden() for b in bars.bars.values())


def test_the_change_over_each_range_is_written_without_hovering(bars, ui):
    bars.show(result(yaw=0.01, hue=-3.0, alpha=0.0, distance=0.002))
    assert bars.bars["yaw"].number.text == "+3.6"          # 0.01 per degree over 360
    assert bars.bars["hue"].number.text == "-3"
    assert bars.bars["alpha"].number.text == "0"
    assert bars.bars["distance"].number.text == "+0.023"   # 0.002 over 11.5
    assert bars.bars["pitch"].number.text == ""            # not computed
    hue = bars.bars["hue"]
    assert tuple(hue.number.node.getTextColor())[:3] == pytest.approx(NEG[:3], abs=0.01)
    for bar in bars.bars.values():  # the number stays inside the bar's own zone
        if bar.number.text:
            assert bar.number.width() <= bar.w
    assert [fmt_short(v) for v in (0.0, 0.0312, -1.25, 12.4, -250.0)] == \
        ["0", "+0.031", "-1.2", "+12", "-250"]
    bars.set_stale(True)
    assert hue.number.node.getTextColor()[0] < NEG[0] - 0.2
    bars.clear()
    assert hue.number.text == ""


def test_screenshot_of_the_bars(bars, ui):
    ui.params.set("show_sensitivity", 1)
    bars.show(result(yaw=0.01, pitch=-0.004, hue=-3.0, saturation=1.1, alpha=0.4,
                     distance=0.2, freq_cutoff=-0.05, background_blur=0.3))
    ui.step(2)
    SHOT.parent.mkdir(exist_ok=True)
    from panda3d.core import Filename

    assert ui.base.win.saveScreenshot(Filename.fromOsSpecific(str(SHOT)))
