"""Gamepad alone: hot-plug, focus over every control, changing values, sticks, actions."""
from game.app.input.focus import describe, kind_of
from game.app.input.gamepad import FakePad, deadzone


def test_hot_plug_connect_and_disconnect(app):
    tool = app.tools["gamepad"]
    p = FakePad("plugged")
    app.base.messenger.send("connect-device", [p])
    app.step()
    assert p in tool.pads
    app.base.messenger.send("connect-device", [object()])  # a keyboard, say: ignored
    app.step()
    assert len(tool.pads) == 1
    hue = app.params["hue"]
    app.base.messenger.send("disconnect-device", [p])
    app.step()
    assert tool.pads == []
    p.press("back")  # unplugged: nothing happens
    app.params.set("hue", 0.2)
    app.step(2)
    assert app.params["hue"] == 0.2
    app.params.set("hue", hue)


def test_deadzone():
    assert deadzone(0.1, 0.2) == 0.0 and deadzone(-0.15, 0.2) == 0.0
    assert deadzone(1.0, 0.2) == 1.0 and deadzone(-1.0, 0.2) == -1.0
    assert abs(deadzone(0.6, 0.2) - 0.5) < 1e-9


def _walk(app, pad):
    """Every control in focus order, reached with the d-pad alone."""
    tool = app.tools["gamepad"]
    n = len(tool.focus.refresh())
    seen = []
    for _ in range(n):
        pad.tap_("dpad_down")
        seen.append(tool.focus.current)
    return tool, n, seen


def test_every_control_is_reachable_by_dpad(app, pad):
    tool, n, seen = _walk(app, pad)
    assert n > 60
    assert len({id(w) for w in seen}) == n  # each stop once, none missing
    assert {kind_of(w) for w in seen} >= {"slider", "menu", "button", "check", "entry"}
    assert tool.ring.visible
    # columns are visited left to right
    cols = [tool.focus.column_of(w) for w in seen]
    assert cols == sorted(cols) and set(cols) >= {0, 1, 2}
    pad.tap_("dpad_right")
    assert tool.focus.column_of(tool.focus.current) == 0  # wraps to the first column
    pad.tap_("dpad_right")
    assert tool.focus.column_of(tool.focus.current) == 1


def test_every_slider_is_changeable_by_pad(app, pad):
    tool, n, _ = _walk(app, pad)
    changed = 0
    tool.focus.current = None
    for _ in range(n):
        pad.tap_("dpad_down")
        w = tool.focus.current
        if kind_of(w) != "slider":
            continue
        before = app.params.snapshot()
        at_max = float(w["value"]) >= max(w["range"]) - 1e-6
        pad.tap_("lshoulder" if at_max else "rshoulder")
        after = app.params.snapshot()
        diff = {k for k in after if after[k] != before[k]}
        assert diff, f"slider {w.getName()} changed no parameter"
        pad.tap_("rshoulder" if at_max else "lshoulder")  # and back
        assert all(abs(app.params[k] - before[k]) < 1e-3 for k in diff if k != "yaw")
        changed += 1
    assert changed >= 30


def _focus_on(app, pad, widget):
    tool = app.tools["gamepad"]
    for _ in range(len(tool.focus.refresh()) + 1):
        if tool.focus.current is widget or tool.focus.current == widget:
            return
        pad.tap_("dpad_down")
    raise AssertionError("widget not reachable")


def test_menu_checkbox_and_flag_change_by_pad(app, pad, background_file):
    controls = app.scene_panel.controls
    _focus_on(app, pad, controls.background_menu.menu)
    before = app.params["background"]
    pad.tap_("lshoulder")  # the previous item (the next one is "Open file...")
    assert app.params["background"] != before
    pad.tap_("rshoulder")
    assert app.params["background"] == before
    # a checkbox drawn as a button (FlagCheck): Show Activations
    tool = app.tools["gamepad"]
    flag = next(w for w in tool.focus.refresh() if kind_of(w) == "button"
                and w["text"] == "Show Activations")
    _focus_on(app, pad, flag)
    pad.tap_("face_a")
    assert app.params["show_activations"] == 0
    pad.tap_("face_a")
    assert app.params["show_activations"] == 1
    # a DirectCheckButton: the Feat. Vis. plane
    app.scene_panel.feat_vis.entry.enterText(str(background_file))  # an image to show
    check = app.scene_panel.feat_vis.check
    _focus_on(app, pad, check)
    v = app.params["feat_vis"]
    pad.tap_("face_a")
    assert app.params["feat_vis"] == str(background_file) != v
    pad.tap_("face_a")
    assert app.params["feat_vis"] == v


def test_sticks_orbit_pan_and_triggers_dolly(app, pad):
    p = app.params
    start = {k: p[k] for k in ("yaw", "pitch", "pan_x", "pan_y", "distance")}
    pad.set_axis("left_x", 1.0)
    pad.set_axis("left_y", 1.0)
    pad.step(4)
    pad.neutral()
    pad.step()
    assert p["yaw"] < start["yaw"] and p["pitch"] < start["pitch"]
    pad.set_axis("right_x", 1.0)
    pad.set_axis("right_y", -1.0)
    pad.step(4)
    pad.neutral()
    assert p["pan_x"] < start["pan_x"] and p["pan_y"] > start["pan_y"]
    pad.set_axis("right_trigger", 1.0)
    pad.step(4)
    pad.neutral()
    assert p["distance"] > start["distance"]
    pad.set_axis("left_trigger", 1.0)
    pad.set_axis("left_x", 0.1)  # inside the deadzone: no drift
    yaw = p["yaw"]
    pad.step(8)
    pad.neutral()
    assert p["distance"] < start["distance"] and p["yaw"] == yaw
    p.update(start)


def test_buttons_run_named_actions_and_help(app, pad):
    calls = []
    saved = dict(app.actions)
    app.actions.add("attack.step", lambda: calls.append("step"))
    app.actions.add("attack.reset", lambda: calls.append("reset"))
    try:
        pad.tap_("face_x")
        pad.tap_("face_y")
        assert calls[:2] == ["step", "reset"]
        app.params.set("hue", 0.3)
        pad.tap_("back")  # scene.reset: scene parameters back to defaults
        assert app.params["hue"] == 0.0 and "reset" in calls[2:]
    finally:
        app.actions.clear()
        app.actions.update(saved)
    tool = app.tools["gamepad"]
    pad.tap_("start")
    assert tool.help.visible
    pad.tap_("start")
    assert not tool.help.visible
    app.base.messenger.send("f1")  # the keyboard works side by side
    app.step()
    assert tool.help.visible
    tool.help.hide()


def test_held_shoulder_repeats(app, pad):
    tool = app.tools["gamepad"]
    slider = next(w for w in tool.focus.refresh() if kind_of(w) == "slider")
    _focus_on(app, pad, slider)
    before = app.params.snapshot()
    pad.press("rshoulder")
    pad.step(20)  # 1 s held: first press, then a repeat every 0.1 s after 0.4 s
    pad.release("rshoulder")
    pad.step()
    (name,) = [k for k in before if app.params[k] != before[k]]
    assert app.params[name] > before[name]
    app.params.set(name, before[name])


def test_focus_moves_are_announced_with_stable_names(app, pad):
    from direct.showbase.DirectObject import DirectObject

    heard, listener = [], DirectObject()
    listener.accept("perturber-focus", heard.append)
    try:
        pad.tap_("dpad_down")
        pad.tap_("dpad_down")
    finally:
        listener.ignoreAll()
    assert len(heard) == 2 and all(":" in t for t in heard)
    tool = app.tools["gamepad"]
    names = [describe(w) for w in tool.focus.refresh()]
    assert "slider:slider-hue" in names and "button:check-show_activations:Show Activations" \
        in names
    app.base.messenger.send("perturber-focus", ["slider:slider-hue"])  # as a replay does
    app.step()
    assert describe(tool.focus.current) == "slider:slider-hue"


def test_panda_pad_reads_an_input_device():
    """PandaPad against a stand-in with InputDevice's interface (no real pad here)."""
    from types import SimpleNamespace

    from panda3d.core import GamepadButton, InputDevice

    from game.app.input.gamepad import PandaPad, wrap_device

    class Device:
        device_class = InputDevice.DeviceClass.gamepad
        name = "stand-in"
        polled = 0

        def poll(self):
            Device.polled += 1

        def findButton(self, handle):
            if handle == GamepadButton.face_a():
                return SimpleNamespace(known=True, pressed=True)
            return SimpleNamespace(known=False, pressed=False)

        def findAxis(self, axis):
            if axis == InputDevice.Axis.left_x:
                return SimpleNamespace(known=True, value=-0.75)
            return None

    pad = wrap_device(Device())
    assert isinstance(pad, PandaPad)
    pad.poll()
    assert Device.polled == 1
    assert pad.pressed("face_a") and not pad.pressed("face_b")
    assert pad.axis("left_x") == -0.75 and pad.axis("right_y") == 0.0
    assert wrap_device(SimpleNamespace(device_class=InputDevice.DeviceClass.keyboard)) is None
