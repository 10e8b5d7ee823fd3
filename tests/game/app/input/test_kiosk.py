"""Kiosk mode on a fake clock: idle -> attract -> input -> control -> longer idle ->
defaults; guarded frames; lockdown."""
from pathlib import Path

import pytest

from game.app.input.tour import TourError, TourPlayer, fill_caption, load_tour, parse_tour
from game.core.params import ParamState

SHOT_DIR = Path(__file__).resolve().parents[4] / "out"


@pytest.fixture
def kiosk(app, clock):
    k = app.attach_kiosk(idle_s=10.0, reset_s=30.0, clock=clock, on_quit=lambda: None)
    assert app.tools["kiosk"] is k
    app.step()  # the first frame: the start-up ("home") state
    yield k
    k.destroy()
    del app.tools["kiosk"]
    app.step()


def step(app, clock, seconds, dt=0.5):
    for _ in range(int(round(seconds / dt))):
        clock.advance(dt)
        app.step()


def test_idle_attract_input_control_idle_reset(app, clock, kiosk, pad):
    p = app.params
    home = dict(kiosk.home)
    p.set("hue", 0.25)  # the visitor's change
    step(app, clock, 5)
    assert kiosk.state == "active"
    step(app, clock, 6)
    assert kiosk.state == "attract"
    step(app, clock, 6)  # the tour plays: morphing towards the cat
    assert p["overall_morph"] > 0 and p["hue"] == 0.25
    pad.tap_("dpad_down")  # any input returns control, the visitor's scene is back
    assert kiosk.state == "active"
    assert p["overall_morph"] == home["overall_morph"] and p["hue"] == 0.25
    step(app, clock, 11)
    assert kiosk.state == "attract"
    step(app, clock, 20)  # 31 s without input: reset to the start-up state
    assert kiosk.resets == 1
    pad.tap_("dpad_up")  # (moves the focus only: pressing a button could record)
    assert kiosk.state == "active"
    now = p.snapshot()
    assert {k: v for k, v in now.items() if v != home[k]} == {}


def test_mouse_movement_counts_as_input(app, clock, kiosk):
    step(app, clock, 11)
    assert kiosk.state == "attract"
    app.virtual_mouse.move_to(0.3, 0.3)
    app.step()
    app.virtual_mouse.move_to(0.35, 0.3)
    app.step()
    assert kiosk.state == "active"


def test_an_exception_in_a_frame_does_not_stop_the_app(app, clock, kiosk):
    calls = []

    def broken(task):
        calls.append(1)
        if len(calls) == 2:
            app.params.set("hue", 0.4)  # half-done work of the failing frame
            raise RuntimeError("injected")
        return task.cont

    app.base.taskMgr.add(broken, "broken-tool", sort=30)
    try:
        app.step()
        good = app.params["hue"]
        app.step()  # raises inside: caught, logged, shown, state restored
        assert kiosk.errors and "injected" in kiosk.errors[-1] and "broken-tool" in kiosk.errors[-1]
        assert app.params["hue"] == good
        assert kiosk.banner.visible
        app.step(3)  # the app and the task carry on
        assert len(calls) == 5
        clock.advance(5)
        app.step()
        assert not kiosk.banner.visible
    finally:
        app.base.taskMgr.remove("broken-tool")


def test_lockdown(app, clock, kiosk):
    controls = app.scene_panel.controls
    from direct.gui import DirectGuiGlobals as DGG

    assert controls.entry["state"] == DGG.DISABLED  # no custom GLSL editing
    tool = app.tools["gamepad"]
    assert tool.focus.skip_item("Open file...")
    assert controls.entry not in tool.focus.refresh()
    app._open_file("background")  # a file dialog, opened somehow: closed at once
    app.step()
    assert app.path_dialog is None
    closed = []
    kiosk.on_quit = lambda: closed.append(1)
    app.base.messenger.send("shift-control-q")
    app.step()
    assert closed == [1]


def test_the_tour_draws_its_captions_and_names_what_model2_is(app, clock):
    kiosk = app.attach_kiosk(idle_s=1.0, reset_s=1000.0, clock=clock, on_quit=lambda: None)
    try:
        app.step()
        seen = {}
        for _ in range(70):                    # 35 s: the whole tour (31 s) once
            clock.advance(0.5)
            app.step()
            t = clock.t - kiosk._attract_t0 if kiosk.state == "attract" else -1
            caption = kiosk.caption.shown
            if caption not in seen and caption:  # each caption's first frame, on screen
                name = caption.split(":")[0].replace(" ", "_").replace(">", "")
                app.save_window_screenshot(SHOT_DIR / f"kiosk_caption_{name}.png")
            seen.setdefault(caption, t)
        assert 4 <= seen["dog -> cat"] < 9 and "texture removed" in seen
        model2 = [c for c in seen if c.startswith("Model 2 on: ")]
        assert model2 == ["Model 2 on: EfficientNet-Lite0 \u00b7 Standard"]  # the registry's
        assert not any("robust" in c for c in seen)
        assert "a PGD attack" in seen
        assert not kiosk.caption.root.isHidden() or kiosk.caption.shown == ""
        app.virtual_mouse.move_to(0.3, 0.3)    # the visitor is back: no caption
        app.step()
        app.virtual_mouse.move_to(0.35, 0.3)
        app.step()
        assert kiosk.state == "active" and kiosk.caption.shown == ""
    finally:
        kiosk.destroy()
        del app.tools["kiosk"]
        app.params.update({"model1_enabled": 0, "model2_enabled": 0})
        app.step()


def test_captions_keep_until_replaced_and_name_the_slots():
    tour = parse_tour({"steps": [{"caption": "a", "wait": 1}, {"wait": 1},
                                 {"caption": "", "wait": 1},
                                 {"caption": "on: {model2}", "wait": 1}]})
    player = TourPlayer(tour, ParamState(), lambda a: None, lambda a: False)
    shown = []
    for t in (0.5, 1.5, 2.5, 3.5, 4.2):
        player.update(t)
        shown.append(fill_caption(player.caption, {"model2": "MobileNetV2 \u00b7 Stylized"}))
    assert shown == ["a", "a", "", "on: MobileNetV2 \u00b7 Stylized", "a"]  # a new lap
    with pytest.raises(TourError, match="unknown {model3}"):
        parse_tour({"steps": [{"caption": "{model3}"}]})


def test_bundled_tour_and_bad_tours():
    tour = load_tour()
    assert tour.duration > 10
    assert any(s.ramp.get("overall_morph") == 1 for s in tour.steps)
    assert any(s.ramp.get("texture_influence") == 0 for s in tour.steps)
    assert any(s.action == "attack.step" for s in tour.steps)
    assert any(s.set.get("model2_enabled") == 1 for s in tour.steps)
    with pytest.raises(TourError, match="step 1: set: hue=7 is out of range"):
        parse_tour({"steps": [{"set": {"hue": 7}}]})
    with pytest.raises(TourError, match="step 1: ramp: 'object'"):
        parse_tour({"steps": [{"ramp": {"object": 1}, "seconds": 1}]})
