"""Gamepads: hot-plugged devices polled every frame, turned into named actions and
camera parameter changes by the mapping table (``game/app/input/input_map.py``).

The device layer is abstract: :class:`PandaPad` reads a Panda3D ``InputDevice``,
:class:`FakePad` is set by hand (tests, the soak command); both have ``pressed(button)``,
``axis(name)`` and ``poll()``. Pads come and go through the messenger's
``connect-device`` / ``disconnect-device`` events (Panda3D sends them on hot-plug;
tests send them with a FakePad). As in Panda3D's ``samples/gamepad``, sticks are
polled with a deadzone; buttons are edge-detected here, so a FakePad and a real pad
take exactly the same path. ``attach(ctx) -> GamepadTool`` (``ctx``: the app's
``game.tools.context.ToolContext``).
"""
from __future__ import annotations

import logging
from typing import Callable

from direct.showbase.MessengerGlobal import messenger
from panda3d.core import ClockObject

from game.render.camera import clamp_to, wrap_yaw
from game.app.input.focus import Focus, bounds, describe
from game.app.input.input_map import REPEATING, InputMap, load_input_map
from game.core.params import BY_NAME
from game.core.stages import Stage

log = logging.getLogger(__name__)

TASK = "perturber-gamepad"
INPUT_EVENT = "perturber-input"  # sent on any pad activity (the kiosk's idle timer)
FOCUS_EVENT = "perturber-focus"  # the focused control's name; the recorder writes it
MAX_DT = 0.1           # a long frame must not fling the camera
# What the built-in actions do, for the help overlay.
DESCRIPTIONS = {
    "focus.next": "next control", "focus.prev": "previous control",
    "focus.next_column": "next column", "focus.prev_column": "previous column",
    "focus.increase": "focused value up / next item", "focus.decrease":
    "focused value down / previous item", "focus.activate": "press / toggle / next item",
    "attack.step": "one PGD attack step", "attack.reset": "reset the attack",
    "scene.reset": "reset the scene", "help.toggle": "show / hide this help",
}


class PandaPad:
    """A Panda3D ``InputDevice`` (gamepad class) behind the pad interface."""

    def __init__(self, device):
        from panda3d.core import GamepadButton, InputDevice

        self.device = device
        self.name = device.name
        self._buttons = {}
        self._axes = {}
        self._gb, self._axis_enum = GamepadButton, InputDevice.Axis

    def poll(self) -> None:
        self.device.poll()

    def pressed(self, button: str) -> bool:
        if button not in self._buttons:
            handle = getattr(self._gb, button, None)
            self._buttons[button] = self.device.findButton(handle()) if handle else None
        state = self._buttons[button]
        return bool(state and state.known and state.pressed)

    def axis(self, name: str) -> float:
        if name not in self._axes:
            axis = getattr(self._axis_enum, name, None)
            self._axes[name] = self.device.findAxis(axis) if axis is not None else None
        state = self._axes[name]
        return float(state.value) if state and state.known else 0.0


class FakePad:
    """A pad set by hand: ``press``/``release`` buttons, ``set_axis`` sticks/triggers."""

    device_class = "gamepad"

    def __init__(self, name: str = "fake pad"):
        self.name = name
        self.device = self
        self.buttons: set[str] = set()
        self.axes: dict[str, float] = {}

    def press(self, button: str) -> None:
        self.buttons.add(button)

    def release(self, button: str) -> None:
        self.buttons.discard(button)

    def tap(self, button: str, step: Callable[[], None]) -> None:
        """Press, one frame, release, one frame."""
        self.press(button)
        step()
        self.release(button)
        step()

    def set_axis(self, name: str, value: float) -> None:
        self.axes[name] = float(value)

    def neutral(self) -> None:
        self.buttons.clear()
        self.axes.clear()

    def poll(self) -> None:
        pass

    def pressed(self, button: str) -> bool:
        return button in self.buttons

    def axis(self, name: str) -> float:
        return self.axes.get(name, 0.0)


def wrap_device(device):
    """A pad for ``device`` (a FakePad as it is, a Panda3D gamepad wrapped), else None."""
    if hasattr(device, "pressed") and hasattr(device, "axis"):
        return device
    try:
        from panda3d.core import InputDevice

        if device.device_class == InputDevice.DeviceClass.gamepad:
            return PandaPad(device)
    except (AttributeError, TypeError):
        pass
    return None


def deadzone(value: float, dz: float) -> float:
    """0 inside ``dz``; outside it, rescaled so full deflection is still 1."""
    if abs(value) <= dz:
        return 0.0
    return (abs(value) - dz) / (1.0 - dz) * (1 if value > 0 else -1)


class GamepadTool:
    def __init__(self, ctx, input_map: InputMap | None = None,
                 clock: Callable[[], float] | None = None):
        from ui.focus_ring import FocusRing
        from ui.help_overlay import HelpOverlay

        self.ctx, self.root = ctx, ctx.dock.gui_root
        self.map = input_map or load_input_map()
        self.clock = clock or ClockObject.getGlobalClock().getFrameTime
        from direct.showbase.DirectObject import DirectObject

        self.events = DirectObject()  # our own listener: never replaces another's handler
        self.pads: list = []
        self._sent = ""  # the last focus target told to the recorder
        self._held: dict[tuple[int, str], float] = {}  # (pad id, button) -> next repeat time
        self._last_t: float | None = None
        self.focus = Focus(self.root, self._columns)
        self.ring = FocusRing(self.root)
        self.focus.listeners.append(self._focused)
        rows = [(i, f"{DESCRIPTIONS[a]}  ({a})" if a in DESCRIPTIONS else a)
                for i, a in self.map.rows()]
        self.help = HelpOverlay(self.root, rows, "Gamepad and keys",
                                footer=f"mapping: {self.map.source}")
        for name, fn in self._actions().items():
            ctx.actions.add(name, fn)
        self.events.accept("connect-device", self.connect)
        self.events.accept(FOCUS_EVENT, self._focus_event)  # from a replay
        self.events.accept("disconnect-device", self.disconnect)
        for key, action in self.map.keys.items():
            self.events.accept(key, self._key, [action])
        for device in self._present_devices():
            self.connect(device)
        ctx.add_task(Stage.GAMEPAD, self._task, TASK)

    def _actions(self) -> dict[str, Callable[[], object]]:
        f = self.focus
        return {"focus.next": lambda: f.move(1), "focus.prev": lambda: f.move(-1),
                "focus.next_column": lambda: f.move_column(1),
                "focus.prev_column": lambda: f.move_column(-1),
                "focus.increase": lambda: f.change(1), "focus.decrease": lambda: f.change(-1),
                "focus.activate": f.activate, "help.toggle": self.help.toggle,
                "scene.reset": self.reset_scene}

    def _present_devices(self) -> list:
        try:
            from panda3d.core import InputDevice, InputDeviceManager

            devices = InputDeviceManager.getGlobalPtr()
            return list(devices.getDevices(InputDevice.DeviceClass.gamepad))
        except Exception as exc:  # no device manager on this platform: pads can't be used
            log.warning("input devices unavailable: %s", exc)
            return []

    # -- hot-plug ------------------------------------------------------------------
    def connect(self, device) -> None:
        pad = wrap_device(device)
        if pad is None or any(p.device is pad.device for p in self.pads):
            return
        self.pads.append(pad)
        log.info("gamepad connected: %s", pad.name)
        messenger.send(INPUT_EVENT)

    def disconnect(self, device) -> None:
        gone = [p for p in self.pads if p.device is device or p is device]
        for pad in gone:
            self.pads.remove(pad)
            self._held = {k: v for k, v in self._held.items() if k[0] != id(pad)}
            log.info("gamepad disconnected: %s", pad.name)

    # -- polling -------------------------------------------------------------------
    def _task(self, task):
        now = self.clock()
        dt = 0.0 if self._last_t is None else min(max(now - self._last_t, 0.0), MAX_DT)
        self._last_t = now
        active = False
        for pad in list(self.pads):
            try:
                pad.poll()
            except Exception as exc:  # unplugged between the event and this frame
                log.warning("gamepad %s: %s", pad.name, exc)
                continue
            active |= self._buttons(pad, now)
            active |= self._axes(pad, dt)
        if active:
            messenger.send(INPUT_EVENT)
        if self.focus.current is not None:
            self._draw_ring()
        return task.cont

    def _buttons(self, pad, now: float) -> bool:
        active = False
        for button, action in self.map.buttons.items():
            key = (id(pad), button)
            if not pad.pressed(button):
                self._held.pop(key, None)
                continue
            active = True
            due = self._held.get(key)
            if due is None:
                self._held[key] = now + self.map.repeat_delay
                self.ctx.actions.do(action)
            elif action in REPEATING and now >= due:
                self._held[key] = now + self.map.repeat_interval
                self.ctx.actions.do(action)
        return active

    def _axes(self, pad, dt: float) -> bool:
        changes: dict[str, float] = {}
        active = False
        for b in self.map.axes:
            v = deadzone(pad.axis(b.axis), self.map.deadzone)
            if v == 0.0:
                continue
            active = True
            current = changes.get(b.param, self.ctx.params[b.param])
            changes[b.param] = current + v * b.rate * dt
        for name, value in changes.items():
            changes[name] = wrap_yaw(value) if name == "yaw" else clamp_to(BY_NAME[name], value)
        if changes:
            self.ctx.params.update(changes)
        return active

    def _key(self, action: str) -> None:
        messenger.send(INPUT_EVENT)
        self.ctx.actions.do(action)

    # -- focus and scene -------------------------------------------------------------
    def _columns(self) -> list[tuple[float, float]]:
        return [bounds(col.frame, self.root)[:2] for col in self.ctx.dock.columns]

    def _focused(self, widget) -> None:
        """The recorder hears every focus move as ``perturber-focus`` with a stable name."""
        self._draw_ring()
        target = describe(widget) if widget is not None else ""
        if target != self._sent:
            self._sent = target
            messenger.send(FOCUS_EVENT, [target])

    def _focus_event(self, target: str) -> None:
        if target == self._sent:  # our own event
            return
        self._sent = target
        match = next((w for w in self.focus.refresh() if describe(w) == target), None)
        self.focus.current = match
        self._draw_ring()

    def _draw_ring(self) -> None:
        w = self.focus.current
        if w is None or w.isEmpty() or w.isHidden():
            self.ring.hide()
            return
        self.ring.show_around(bounds(w, self.root))

    def reset_scene(self) -> None:
        """Every scene parameter to its default, the object's preferred camera, no attack."""
        self.ctx.params.reset()
        self.ctx.scene.use_preferred_camera()
        if "attack.reset" in self.ctx.actions:
            self.ctx.actions.do("attack.reset")

    def destroy(self) -> None:
        self.ctx.remove_task(TASK)
        self.events.ignoreAll()
        self.ring.destroy()
        self.help.destroy()
        self.pads.clear()


def attach(ctx) -> GamepadTool:
    return GamepadTool(ctx)
