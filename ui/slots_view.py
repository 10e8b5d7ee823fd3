"""The view of the model slots at the top of the Models column: which networks are compared.

Model 1 (dark blue) and Model 2 (light blue) each have an on/off checkbox, a menu of
the trained variants (discrete ``model1`` / ``model2``) and a checkpoint slider
(``model1_checkpoint`` / ``model2_checkpoint``, set on release only); the Edited
Model (yellow) has its checkbox. Each slot has a status line for "loading..." or an
error. A colour strip on the left ties the rows to the slot's colour everywhere else.

``choices``: objects with ``.name``, ``.title``, ``.available`` (a bool or a method,
like ``nets.registry.ModelEntry``) and ``.checkpoints`` (training iterations; may be
missing). Unavailable ones are listed greyed so the user sees what exists.
"""
from __future__ import annotations

from typing import Sequence

from game.core.params import ParamState
from game.core.results import SLOT_TITLES
from ui import theme
from ui.checkpoint_slider import CheckpointSlider
from ui.draw import Text, card, displayable, ellipsize
from ui.flag_check import FlagCheck
from ui.menus import Entry, TitledMenu
from ui.widgets import button

HEADER_H = theme.ROW_H
CHECKPOINT_H = theme.px(22)
STATUS_H = theme.px(15)
SLOT_GAP = theme.px(6)
STRIP_W = theme.px(3)
CHECK_W = theme.px(104)  # checkbox + "Edited Model"
TRAINED = ("model1", "model2")
ENABLED = {"model1": "model1_enabled", "model2": "model2_enabled", "edited": "edited_enabled"}


def _available(choice) -> bool:
    a = getattr(choice, "available", True)
    return bool(a() if callable(a) else a)


def _entries(choices) -> list[Entry]:
    return [Entry(c.name, c.title, _available(c)) for c in choices]


class _Slot:
    """One slot's rows: checkbox (+ variant menu and checkpoint slider) and status line."""

    def __init__(self, parent, params: ParamState, slot: str, w: float, z: float):
        self.slot, self.params = slot, params
        self.root = parent.attachNewNode(f"slot-{slot}")
        self.root.setZ(z)
        colour = theme.SLOT_COLOURS[slot]
        x = STRIP_W + theme.px(6)
        self.check = FlagCheck(self.root, params, ENABLED[slot], SLOT_TITLES[slot], (x, 0),
                               colour=colour, w=CHECK_W)
        self.menu = self.slider = None
        self._unwatch = lambda: None
        z = -HEADER_H
        if slot in TRAINED:
            menu_x = x + CHECK_W + theme.px(4)
            base = -HEADER_H / 2 - theme.TEXT_SCALE * 0.35
            self.menu = TitledMenu(self.root, [], params[slot], self._picked,
                                   (menu_x + theme.px(4), base), w - menu_x - theme.px(4))
            self.slider = CheckpointSlider(self.root, params, f"{slot}_checkpoint",
                                           w - x - theme.px(24), (x + theme.px(24), z))
            self._unwatch = params.watch((slot, self.slider.name), self._on_param)
            z -= CHECKPOINT_H
            status_x, status_z = x + theme.px(24), z - STATUS_H * 0.72
            self.height = -z + STATUS_H
        else:  # no menu: the status fits beside the checkbox
            status_x = x + CHECK_W + theme.px(8)
            status_z = -HEADER_H / 2 - theme.SMALL_SCALE * 0.35
            self.height = HEADER_H
        self.status = Text(self.root, "", (status_x, status_z), fg=theme.TEXT_DIM)
        self.notes: dict[str, str] = {}
        self._message, self._error = "", False
        self._status_w = w - status_x
        self._w, self._status_x, self.buttons = w, status_x, []
        self.strip = card(self.root, STRIP_W, self.height, colour, (0, 0), "slot-strip")
        self.checkpoints: dict[str, list[int]] = {}

    def set_choices(self, choices) -> None:
        if self.menu is None:
            return
        self.checkpoints = {c.name: list(getattr(c, "checkpoints", ()) or ()) for c in choices}
        self.notes = {c.name: getattr(c, "note", "") for c in choices}
        self.menu.set_entries(_entries(choices), self.params[self.slot])
        self.slider.set_stops(self.checkpoints.get(self.params[self.slot], []))
        self.set_status(self._message, self._error)

    def _picked(self, name: str) -> None:
        """A new variant: its checkpoint goes back to the final weights unless it has ours."""
        ckpt = f"{self.slot}_checkpoint"
        keep = int(self.params[ckpt]) in self.checkpoints.get(name, [])
        self.params.update([(self.slot, name)] + ([] if keep else [(ckpt, 0)]))

    def _on_param(self, name: str, value) -> None:
        if name == self.slot:
            self.menu.select(value)
            self.slider.set_stops(self.checkpoints.get(value, []))
            self.set_status(self._message, self._error)
        else:
            self.slider.show(value)

    def add_button(self, text: str, command, w: float = theme.px(52)):
        """A small button at the right end of the first row (the Edited Model's "Edit...");
        the status line beside the checkbox gets narrower."""
        x = self._w - w - sum(b["frameSize"][1] + theme.px(4) for b in self.buttons)
        b = button(self.root, displayable(text), command, (x, -theme.px(3)), w,
                   HEADER_H - theme.px(6), scale=theme.SMALL_SCALE)
        self.buttons.append(b)
        self._status_w = min(self._status_w, x - self._status_x - theme.px(6))
        self.set_status(self._message, self._error)
        return b

    def set_status(self, text: str, error: bool) -> None:
        """``text`` ("" = none: the picked model's robustness note, if it has one)."""
        self._message, self._error = text, error
        if not text and self.menu is not None:
            text = self.notes.get(self.params[self.slot], "")
        self.status.set(ellipsize(text, self.status.scale, self._status_w))
        self.status.set_fg(theme.ERROR if error else theme.TEXT_DIM)

    def destroy(self) -> None:
        self._unwatch()
        self.check.destroy()
        for b in self.buttons:
            b.destroy()
        if self.menu is not None:
            self.menu.destroy()
            self.slider.destroy()
        self.root.removeNode()


class ModelSlotsView:
    """The three slots stacked in a ``w``-wide area, top-left corner at ``pos`` (x, z)."""

    def __init__(self, parent, params: ParamState, w: float, pos=(0.0, 0.0),
                 choices: Sequence = ()):
        self.params = params
        self.root = parent.attachNewNode("model-slots")
        self.root.setPos(pos[0], 0, pos[1])
        self.slots: dict[str, _Slot] = {}
        z = 0.0
        for slot in ("model1", "model2", "edited"):
            self.slots[slot] = _Slot(self.root, params, slot, w, z)
            z -= self.slots[slot].height + SLOT_GAP
        self.height = -z - SLOT_GAP
        self.set_choices(choices)

    def set_choices(self, choices: Sequence) -> None:
        """The trained variants the menus offer (call again when availability changes)."""
        for slot in self.slots.values():
            slot.set_choices(list(choices))

    def set_status(self, slot: str, text: str, error: bool = False) -> None:
        """Show e.g. "loading..." or an error under ``slot`` ("" clears it)."""
        self.slots[slot].set_status(text, error)

    def add_button(self, slot: str, text: str, command):
        """A small button on ``slot``'s first row (tools hook in here, e.g. "Edit...");
        ``remove_button`` takes it away again."""
        return self.slots[slot].add_button(text, command)

    def remove_button(self, slot: str, b) -> None:
        if b in self.slots[slot].buttons:
            self.slots[slot].buttons.remove(b)
            b.destroy()

    def destroy(self) -> None:
        for slot in self.slots.values():
            slot.destroy()
        self.root.removeNode()
