"""The layer grid in the real app: the button opens it over the sliders with every
channel of Model 1's layer; with two models of one architecture it orders by their
difference and zooms a channel for both."""
from pathlib import Path

import pytest

from tests.game.conftest import sphere_box_app

SHOT = Path(__file__).resolve().parents[4] / "out" / "app_layer_grid.png"


@pytest.fixture(scope="module")
def app(background_file):
    a = sphere_box_app(background_file)
    if hasattr(a.featvis, "paused"):  # no class pictures made in the background
        a.featvis.paused = True
    a.step(3)
    yield a
    a.destroy()


def test_the_grid_shows_the_layer_and_compares_one_architecture(app):
    tool = app.tools["layergrid"]
    tool.button["command"]()          # the "Layer grid..." button: a named action
    app.step()
    panel = tool.panel
    try:
        assert panel.is_open and app.scene_panel.root.getParent().isHidden()
        m1 = app.engine.result.output("model1")
        assert sorted(panel.order.tolist()) == list(range(m1.activations.shape[0]))
        assert panel.other is None                       # EfficientNet: another architecture
        assert not panel.sort_menu.entries[2].enabled
        app.params.set("model2", "mobilenet_v2_adv")
        app.step(3)
        assert panel.other is not None and panel.other.slot == "model2"
        panel.sort_menu.pick("difference")
        panel.zoom(int(panel.order[0]))
        app.step(2)
        assert [r.slot for r in panel.zoom_rows] == ["model1", "model2"]
        assert panel.zoom_rows[1].title_text.text.startswith("Model 2")
        SHOT.parent.mkdir(exist_ok=True)
        app.save_window_screenshot(SHOT)
    finally:
        app.params.set("model2", "efficientnet_lite0")
        app.actions.do("layergrid.panel")            # closed: the sliders are back
        app.step()
    assert not panel.is_open and not app.scene_panel.root.getParent().isHidden()
