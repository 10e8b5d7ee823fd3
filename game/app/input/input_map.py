"""The gamepad / keyboard mapping as data: buttons and keys -> named actions, stick and
trigger axes -> camera parameter rates.

The bundled table is ``game/app/input/input_map.json``; a user file (``PERTURBER_INPUT_MAP`` or
``load_input_map(path)``) replaces it without touching code. Every entry is checked on
load and a bad file is refused with one message naming the file, the entry and the fix.
Nothing here imports panda3d.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from game.core.params import BY_NAME

DEFAULT_PATH = Path(__file__).with_name("input_map.json")
ENV_VAR = "PERTURBER_INPUT_MAP"

# Panda3D's GamepadButton names and InputDevice.Axis names a pad may have.
BUTTONS = ("face_a", "face_b", "face_c", "face_x", "face_y", "face_z", "lshoulder",
           "rshoulder", "ltrigger", "rtrigger", "lstick", "rstick", "dpad_up", "dpad_down",
           "dpad_left", "dpad_right", "start", "back", "guide", "face_1", "face_2")
AXES = ("left_x", "left_y", "right_x", "right_y", "left_trigger", "right_trigger")
TOP_KEYS = {"deadzone", "repeat_delay", "repeat_interval", "buttons", "axes", "keys"}
# Actions that repeat while their button is held (navigation and value changes).
REPEATING = ("focus.next", "focus.prev", "focus.increase", "focus.decrease")


class InputMapError(ValueError):
    """A mapping file the app refuses; the message says where and why."""


@dataclass(frozen=True)
class AxisBinding:
    axis: str
    param: str
    rate: float          # parameter units per second at full deflection
    label: str = ""


@dataclass(frozen=True)
class InputMap:
    buttons: dict[str, str] = field(default_factory=dict)   # button -> action
    axes: tuple[AxisBinding, ...] = ()
    keys: dict[str, str] = field(default_factory=dict)      # keyboard event -> action
    deadzone: float = 0.2
    repeat_delay: float = 0.4
    repeat_interval: float = 0.1
    source: str = ""

    def rows(self) -> list[tuple[str, str]]:
        """(input, what it does) for the help overlay, in table order."""
        rows = [(f"pad {_title(b)}", a) for b, a in self.buttons.items()]
        rows += [(f"pad {_title(b.axis)}", f"{b.label or b.param} ({b.param})") for b in self.axes]
        rows += [(f"key {k.upper()}", a) for k, a in self.keys.items()]
        return rows


def _title(name: str) -> str:
    return name.replace("_", " ")


def load_input_map(path: str | os.PathLike | None = None) -> InputMap:
    """The mapping from ``path``, else ``$PERTURBER_INPUT_MAP``, else the bundled table."""
    path = Path(path or os.environ.get(ENV_VAR) or DEFAULT_PATH)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputMapError(f"input map {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputMapError(f"input map {path}: not valid JSON at line {exc.lineno}, "
                            f"column {exc.colno}: {exc.msg}") from None
    return parse_input_map(data, str(path))


def parse_input_map(data, source: str = "<data>") -> InputMap:
    where = f"input map {source}"
    if not isinstance(data, dict):
        raise InputMapError(f"{where}: expected a JSON object at the top level")
    extra = set(data) - TOP_KEYS
    if extra:
        raise InputMapError(f"{where}: unknown key(s) {', '.join(sorted(extra))}; "
                            f"allowed: {', '.join(sorted(TOP_KEYS))}")
    buttons = _actions(data.get("buttons", {}), "buttons", BUTTONS, where)
    keys = _actions(data.get("keys", {}), "keys", None, where)
    axes = data.get("axes", {})
    if not isinstance(axes, dict):
        raise InputMapError(f"{where}: 'axes' must be an object axis -> {{param, rate}}")
    bindings = tuple(_axis(name, spec, where) for name, spec in axes.items())
    numbers = {k: _number(data.get(k, d), k, lo, hi, where) for k, d, lo, hi in (
        ("deadzone", 0.2, 0.0, 0.9), ("repeat_delay", 0.4, 0.05, 5.0),
        ("repeat_interval", 0.1, 0.02, 5.0))}
    return InputMap(buttons=buttons, axes=bindings, keys=keys, source=source, **numbers)


def _actions(table, section: str, allowed, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise InputMapError(f"{where}: '{section}' must be an object name -> action")
    out = {}
    for name, action in table.items():
        if allowed is not None and name not in allowed:
            raise InputMapError(f"{where}: {section}.{name}: unknown gamepad button; "
                                f"known: {', '.join(allowed)}")
        if not isinstance(action, str) or "." not in action or " " in action:
            raise InputMapError(f"{where}: {section}.{name}: {action!r} is not an action name "
                                f"like \"focus.next\" or \"attack.step\"")
        out[name] = action
    return out


def _axis(name: str, spec, where: str) -> AxisBinding:
    if name not in AXES:
        raise InputMapError(f"{where}: axes.{name}: unknown axis; known: {', '.join(AXES)}")
    if not isinstance(spec, dict) or "param" not in spec or "rate" not in spec:
        raise InputMapError(f"{where}: axes.{name}: expected {{\"param\": NAME, \"rate\": "
                            f"UNITS_PER_SECOND}}, got {spec!r}")
    extra = set(spec) - {"param", "rate", "label"}
    if extra:
        raise InputMapError(f"{where}: axes.{name}: unknown key(s) {', '.join(sorted(extra))}")
    param = spec["param"]
    if param not in BY_NAME or BY_NAME[param].flag or BY_NAME[param].integer:
        raise InputMapError(f"{where}: axes.{name}: {param!r} is not a continuous parameter "
                            f"(e.g. yaw, pitch, distance, pan_x, hue)")
    rate = _number(spec["rate"], f"axes.{name}.rate", -1e6, 1e6, where)
    return AxisBinding(name, param, rate, str(spec.get("label", "")))


def _number(value, name: str, lo: float, hi: float, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputMapError(f"{where}: {name}: {value!r} is not a number")
    if not lo <= value <= hi:
        raise InputMapError(f"{where}: {name}={value} is outside [{lo:g}, {hi:g}]")
    return float(value)
