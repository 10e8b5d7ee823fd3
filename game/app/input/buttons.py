"""Every button press (key or mouse button) the window's button throwers see, as one event."""
from __future__ import annotations

from typing import Callable

BUTTON_EVENT = "perturber-button"


def on_any_button(base, events, fn: Callable[[], None]) -> None:
    """Call ``fn()`` on every press: each thrower without a button-down event is given
    ``BUTTON_EVENT``; one that has another (set elsewhere) is listened to under its own."""
    names = set()
    for thrower in getattr(base, "buttonThrowers", None) or []:
        node = thrower.node()
        if not node.getButtonDownEvent():
            node.setButtonDownEvent(BUTTON_EVENT)
        names.add(node.getButtonDownEvent())
    for name in names:
        events.accept(name, lambda *_: fn())
