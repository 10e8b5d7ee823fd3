"""The "Adversarial Attack" controls.

A collapsible group: attacked model and norm menus, the epsilon slider (its label
names the unit), the target (type a class name or index to search, pick a match; the
"Untargeted" box clears it), "PGD Step" / "Reset", and the Attack Alpha / Original
Alpha / Perturbation Gain sliders. Every value goes through the ParamState
(``attack_model``, ``attack_norm``, ``attack_eps``, ``attack_target``, ``attack_alpha``,
``original_alpha``, ``attack_gain``); the two buttons call back. Class names come from
the ``search`` and ``label_of`` callables it is given, so the panel needs no torch.
"""
from __future__ import annotations

from typing import Callable, Sequence

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectButton, DirectCheckButton, DirectEntry
from panda3d.core import TextNode

from game.core.attack_image import eps_label
from game.core.params import BY_NAME, ParamError, ParamState
from game.core.parsers import parse_target
from ui import theme
from ui.draw import Text, ellipsize
from ui.menus import Entry, TitledMenu
from ui.slider import ParamSlider
from ui.widgets import button, fit_scale, label

TITLE = "Adversarial Attack"
HEADER_H = theme.ROW_H
ROW = theme.px(26)          # a row of menus, the target entry, the buttons
MATCH_H = theme.px(20)      # one row of search matches
MATCH_ROWS, MATCH_COLS = 2, 2
GAP = theme.px(4)
STATUS_H = theme.px(18)     # one line of status under the buttons
NORM_ENTRIES = (Entry("l2", "L2"), Entry("linf", "Linf"))
HINT = "type a class name or an index"
COMPOSITION = ("attack_alpha", "original_alpha", "attack_gain")  # the sliders at the bottom

Search = Callable[[str], Sequence[tuple[int, str]]]


def body_height() -> float:
    return (GAP + ROW + theme.ROW_H + ROW + MATCH_ROWS * MATCH_H + GAP + ROW + STATUS_H
            + len(COMPOSITION) * theme.ROW_H)


class AttackPanel:
    """``w`` wide, top-left corner at the parent's origin (move ``root`` to place it)."""

    def __init__(self, parent, params: ParamState, w: float, models: Sequence[Entry],
                 on_step: Callable[[], None], on_reset: Callable[[], None],
                 search: Search, label_of: Callable[[int], str],
                 on_toggle: Callable[[bool], None] | None = None):
        self.params, self.w = params, w
        self._search, self._label_of = search, label_of
        self.on_toggle = on_toggle or (lambda _collapsed: None)
        self.collapsed = False
        self._note = ""
        self.matches: list[tuple[int, str]] = []
        self.root = parent.attachNewNode("attack-panel")
        self.header = DirectButton(
            parent=self.root, text="", command=lambda: self.set_collapsed(not self.collapsed),
            relief=DGG.FLAT, frameSize=(0, w, -HEADER_H, 0), pressEffect=0,
            frameColor=(theme.HEADER_BG, theme.HEADER_HOVER, theme.HEADER_HOVER, theme.HEADER_BG),
            text_scale=theme.HEADER_SCALE, text_fg=theme.TEXT, text_align=TextNode.ALeft,
            text_pos=(theme.PAD * 0.75, -HEADER_H / 2 - theme.HEADER_SCALE * 0.35))
        self.body = self.root.attachNewNode("attack-body")
        self.body.setPos(theme.PAD * 0.75, 0, -HEADER_H - GAP)
        self._inner_w = w - theme.PAD * 0.75
        self._labels = []
        self.sliders: dict[str, ParamSlider] = {}
        z = self._build_menus(models)
        z = self._build_sliders(z, ("attack_eps",))
        z = self._build_target(z)
        z = self._build_buttons(z, on_step, on_reset)
        self._build_sliders(z, COMPOSITION)
        self._show_norm(params["attack_norm"])
        self._show_target(params["attack_target"])
        self._update_header()
        self._unsubscribe = params.watch(("attack_model", "attack_norm", "attack_target"),
                                         self._on_param)

    # -- building ----------------------------------------------------------------------
    def _build_menus(self, models) -> float:
        w, s = self._inner_w, theme.TEXT_SCALE
        base = -ROW / 2 - s * 0.35
        model_x = theme.px(44)
        norm_w = theme.px(62)
        norm_label_x = w - norm_w - theme.px(42)
        self._labels.append(label(self.body, "Model", (0, base)))
        self._labels.append(label(self.body, "Norm", (norm_label_x, base)))
        self.model_menu = TitledMenu(self.body, models, self.params["attack_model"],
                                     lambda v: self._set("attack_model", v), (model_x, base),
                                     norm_label_x - model_x - theme.px(10))
        self.norm_menu = TitledMenu(self.body, NORM_ENTRIES, self.params["attack_norm"],
                                    lambda v: self._set("attack_norm", v),
                                    (w - norm_w, base), norm_w)
        return -ROW

    def _build_sliders(self, z: float, names) -> float:
        for name in names:
            row = ParamSlider(self.body, BY_NAME[name], self.params, self._inner_w)
            row.root.setZ(z)
            self.sliders[name] = row
            z -= theme.ROW_H
        return z

    def _build_target(self, z: float) -> float:
        s, es, w = theme.TEXT_SCALE, theme.SMALL_SCALE, self._inner_w
        base = z - ROW / 2 - s * 0.35
        self._labels.append(label(self.body, "Target", (0, base)))
        entry_x, check_w = theme.px(48), theme.px(94)
        entry_w = w - entry_x - check_w - theme.px(4)
        h = ROW - theme.px(4)
        self.entry = DirectEntry(
            parent=self.body, initialText="", scale=es, focus=0,
            pos=(entry_x + theme.px(4), 0, z - ROW / 2 - es * 0.35),
            width=(entry_w - theme.px(8)) / es, numLines=1, overflow=1, relief=DGG.FLAT,
            frameColor=theme.FIELD_BG, text_fg=theme.TEXT, command=self._entered,
            focusInCommand=self._focus_in, focusOutCommand=self._focus_out,
            frameSize=(-theme.px(4) / es, (entry_w - theme.px(4)) / es,
                       -(h / 2 - es * 0.35) / es, (h / 2 + es * 0.35) / es))
        for event in (DGG.TYPE, DGG.ERASE):
            self.entry.bind(event, lambda _evt: self.search(self.entry.get()))
        box = theme.px(14) / s
        self.untargeted = DirectCheckButton(
            parent=self.body, text="Untargeted", scale=s, text_fg=theme.TEXT,
            text_align=TextNode.ALeft, relief=None, pressEffect=0, boxPlacement="left",
            boxRelief=DGG.FLAT, boxBorder=0.25,
            pos=(w - check_w + (box + 0.5) * s, 0, base),
            indicator_frameColor=theme.FIELD_BG, indicator_text_fg=theme.OK,
            indicator_frameSize=(-box / 2, box / 2, -box / 2 + 0.3, box / 2 + 0.3),
            command=self._untargeted_clicked)
        self.untargeted.indicator["text"] = (" ", "x")
        self.untargeted.indicator["text_scale"] = 1.1
        self.untargeted.indicator["text_pos"] = (0, 0.05)
        z -= ROW
        self._build_matches(z)
        return z - MATCH_ROWS * MATCH_H - GAP

    def _build_matches(self, z: float) -> None:
        es, w = theme.SMALL_SCALE, self._inner_w - theme.px(48)
        self._match_w = (w - theme.px(4) * (MATCH_COLS - 1)) / MATCH_COLS
        self.match_buttons: list[DirectButton] = []
        for i in range(MATCH_ROWS * MATCH_COLS):
            r, c = divmod(i, MATCH_COLS)
            b = button(self.body, "", lambda i=i: self.pick_match(i),
                       (theme.px(48) + c * (self._match_w + theme.px(4)),
                        z - r * MATCH_H - theme.px(1)),
                       self._match_w, MATCH_H - theme.px(2), scale=es, color=theme.FIELD_BG)
            b.hide()
            self.match_buttons.append(b)
        self.hint = Text(self.body, HINT, (theme.px(48), z - MATCH_H / 2 - es * 0.35),
                         scale=es, fg=theme.TEXT_DIM)

    def _build_buttons(self, z: float, on_step, on_reset) -> float:
        h = ROW - theme.px(2)
        self.step_button = button(self.body, "PGD Step", on_step, (0, z), theme.px(84), h)
        self.reset_button = button(self.body, "Reset", on_reset, (theme.px(90), z),
                                   theme.px(58), h)
        z -= ROW
        self.status = Text(self.body, "", (0, z - STATUS_H / 2 - theme.SMALL_SCALE * 0.35),
                           scale=theme.SMALL_SCALE, fg=theme.TEXT_DIM)
        self._status_w = self._inner_w - theme.px(2)
        return z - STATUS_H

    # -- size ----------------------------------------------------------------------------
    @property
    def height(self) -> float:
        return HEADER_H + (0.0 if self.collapsed else body_height())

    def set_collapsed(self, collapsed: bool) -> None:
        if collapsed == self.collapsed:
            return
        self.collapsed = collapsed
        if collapsed:
            self.body.stash()
        else:
            self.body.unstash()
            self._note = ""  # a remark on why it was folded is over
        self._update_header()
        self.on_toggle(collapsed)

    def set_note(self, note: str) -> None:
        """A remark after the title while the group is folded, e.g. why it was folded."""
        self._note = note
        self._update_header()

    def _update_header(self) -> None:
        mark = "+  " if self.collapsed else "-  "
        note = self._note
        self.header["text"] = mark + TITLE + (f"  ({note})" if note else "")

    # -- public --------------------------------------------------------------------------
    def set_models(self, entries: Sequence[Entry]) -> None:
        """Model 1 / Model 2 / Edited with only the enabled, loaded ones selectable."""
        self.model_menu.set_entries(entries, self.params["attack_model"])

    def set_status(self, text: str, error: bool = False) -> None:
        self.status.set(ellipsize(text, theme.SMALL_SCALE, self._status_w))
        self.status.set_fg(theme.ERROR if error else theme.TEXT_DIM)

    def search(self, text: str) -> list[tuple[int, str]]:
        """Show the classes matching ``text`` (a name fragment or an index)."""
        text = text.strip()
        found: list[tuple[int, str]] = []
        if text.isdigit():
            try:
                found = [(int(text), self._label_of(int(text)))]
            except (IndexError, ValueError):
                found = []
        elif text:
            found = list(self._search(text))
        self.matches = found
        self._show_matches(text)
        return found

    def pick_match(self, i: int) -> None:
        if i < len(self.matches):
            self.set_target(self.matches[i][0])

    def set_target(self, index: int | None) -> None:
        """Target class ``index``, or None for an untargeted attack."""
        self._set("attack_target", "" if index is None else str(int(index)))
        self.entry["focus"] = 0
        self.matches = []
        self._show_matches("")
        self._show_target(self.params["attack_target"])

    # -- view -> model -------------------------------------------------------------------
    def _set(self, name: str, value) -> None:
        try:
            self.params.set(name, value)
        except ParamError as exc:
            self.set_status(str(exc), error=True)

    def _entered(self, text: str) -> None:
        text = text.strip()
        if not text:
            self.set_target(None)
            return
        found = self.search(text)
        if found:
            self.set_target(found[0][0])
        else:
            self.set_status(f"no class matches {text!r}", error=True)

    def _focus_in(self) -> None:
        self.entry.enterText("")  # start a new search
        self.search("")

    def _focus_out(self) -> None:
        if not self.entry.get().strip():
            self._show_target(self.params["attack_target"])

    def _untargeted_clicked(self, on) -> None:
        if on:
            self.set_target(None)
            return
        if self.matches:  # unticked with a search shown: the first match
            self.set_target(self.matches[0][0])
            return
        self.untargeted["indicatorValue"] = 1
        self.set_status("type a class to target", error=True)

    # -- model -> view -------------------------------------------------------------------
    def _on_param(self, name: str, value) -> None:
        if name == "attack_model":
            self.model_menu.select(value)
        elif name == "attack_norm":
            self.norm_menu.select(value)
            self._show_norm(value)
        elif name == "attack_target":
            self._show_target(value)

    def _show_norm(self, norm: str) -> None:
        row = self.sliders["attack_eps"]
        text = eps_label(norm)
        row.label["text"] = text
        row.label["text_scale"] = fit_scale(text, theme.TEXT_SCALE, theme.LABEL_W - theme.PAD)

    def _show_target(self, value: str) -> None:
        try:
            index = parse_target(value)
        except ParamError:
            index, shown = -1, str(value)
        else:
            shown = "" if index is None else self._target_text(index)
        self.untargeted["indicatorValue"] = 1 if index is None else 0
        if self.entry.get() != shown and not self.entry["focus"]:
            self.entry.enterText(shown)

    def _target_text(self, index: int) -> str:
        try:
            return f"{self._label_of(index)} ({index})"
        except (IndexError, ValueError):
            return str(index)

    def _show_matches(self, text: str) -> None:
        shown = self.matches[:len(self.match_buttons)]
        for b, (i, name) in zip(self.match_buttons, shown):
            b["text"] = ellipsize(f"{name} ({i})", theme.SMALL_SCALE,
                                  self._match_w - theme.px(8))
            b.show()
        for b in self.match_buttons[len(shown):]:
            b.hide()
        more = len(self.matches) - len(shown)
        if more:
            self.set_status(f"{len(self.matches)} matches: type more")
        if shown:
            self.hint.np.hide()
        else:
            self.hint.set(f"no class matches {text!r}" if text else HINT)
            self.hint.np.show()

    def destroy(self) -> None:
        self._unsubscribe()
        for row in self.sliders.values():
            row.destroy()
        for b in self.match_buttons:
            b.destroy()
        for w in (self.model_menu, self.norm_menu):
            w.destroy()
        for w in [self.entry, self.untargeted, self.step_button, self.reset_button,
                  self.header, *self._labels]:
            w.destroy()
        self.root.removeNode()
