"""A drop-down menu over values shown by title, some of which may be unavailable.

The model, layer and neuron-group menus pick a *value* (a registry name, a layer, a
group key) but show a *title*; titles are cut with an ellipsis to the menu's width
and unavailable entries are greyed and cannot be picked.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectOptionMenu
from panda3d.core import TextNode

from ui import theme
from ui.draw import ellipsize

MARKER_W = 1.2  # the popup marker plus its border, in text units


class Entry(NamedTuple):
    value: str
    title: str
    enabled: bool = True


class LeftOptionMenu(DirectOptionMenu):
    def __init__(self, parent=None, **kw):
        super().__init__(parent, **kw)
        self.initialiseoptions(LeftOptionMenu)  # DirectGUI subclasses must do this themselves

    def showPopupMenu(self, event=None):
        super().showPopupMenu(event)
        # DirectOptionMenu opens the popup from the button's middle; open it under its left edge.
        self.popupMenu.setX(self, self.getBounds()[0])


class TitledMenu:
    """``w`` wide; ``pos`` is the text baseline start (x, z) like ``widgets.label``."""

    def __init__(self, parent, entries: Sequence[Entry], current: str | None,
                 on_pick: Callable[[str], None], pos, w: float, scale: float = theme.TEXT_SCALE):
        self._on_pick, self._scale = on_pick, scale
        self._text_w = w - (MARKER_W + 0.6) * scale
        self.menu = LeftOptionMenu(
            parent=parent, items=["-"], scale=scale, pos=(pos[0], 0, pos[1]),
            command=self._picked, relief=DGG.FLAT, frameColor=theme.BUTTON_BG,
            text_fg=theme.TEXT, text_align=TextNode.ALeft, item_text_fg=theme.TEXT,
            item_frameColor=theme.FIELD_BG, popupMenu_frameColor=theme.FIELD_BG,
            popupMenu_relief=DGG.FLAT, highlightColor=theme.HEADER_HOVER,
            popupMarker_frameColor=theme.TEXT_DIM, item_relief=DGG.FLAT,
            frameSize=(-0.3, w / scale - MARKER_W, -0.45, 1.05))
        self.entries: list[Entry] = []
        self._selected = 0
        self.set_entries(entries, current)

    def set_entries(self, entries: Sequence[Entry], current: str | None = None) -> None:
        """Replace the entries; ``current`` (default: the shown value) stays selected."""
        current = self.value if current is None and self.entries else current
        entries = list(entries) or [Entry("", "-", False)]
        if current is not None and current not in [e.value for e in entries]:
            entries.append(Entry(current, current, False))  # show the truth, even if unknown
        if entries == self.entries:
            self.select(current)
            return
        self.entries = entries
        self.menu["items"] = [ellipsize(e.title, self._scale, self._text_w) for e in entries]
        self._style_items()
        self.select(current if current is not None else entries[0].value)

    def _style_items(self) -> None:
        """Theme the popup's items; DirectOptionMenu applies ``item_*`` options only to the
        items it builds in its constructor, and restores each item's colour on exit."""
        m = self.menu
        x0, x1 = m["frameSize"][:2]
        m.maxX = max(m.maxX, m.minX + (x1 - x0))  # as wide as the button: it hides its text
        popup = m.popupMenu
        popup["relief"], popup["frameColor"] = DGG.FLAT, theme.FIELD_BG
        popup["frameSize"] = (0, m.maxX - m.minX, -m.maxHeight * len(self.entries), 0)
        for i, e in enumerate(self.entries):
            item = m.component(f"item{i}")
            item["relief"], item["frameColor"] = DGG.FLAT, theme.FIELD_BG
            item["frameSize"] = (m.minX, m.maxX, m.minZ, m.maxZ)
            item["text_fg"] = theme.TEXT if e.enabled else theme.TEXT_DIM
            item.bind(DGG.WITHOUT, lambda _e, item=item: self.menu._unhighlightItem(
                item, theme.FIELD_BG))
            if not e.enabled:
                item["state"] = DGG.DISABLED

    def select(self, value: str) -> None:
        """Show ``value`` as selected without calling back."""
        values = [e.value for e in self.entries]
        if value not in values:
            self.set_entries(self.entries, value)
            return
        self._selected = values.index(value)
        self.menu.set(self._selected, fCommand=0)

    @property
    def value(self) -> str:
        return self.entries[self._selected].value

    def pick(self, value: str) -> None:
        """As if the user picked ``value`` from the popup (for tests and keyboard use)."""
        self.menu.set([e.value for e in self.entries].index(value))

    def _picked(self, _item: str) -> None:
        index = self.menu.selectedIndex
        if not self.entries[index].enabled:  # cannot be clicked; guard programmatic picks
            self.menu.set(self._selected, fCommand=0)
            return
        self._selected = index
        self._on_pick(self.entries[index].value)

    def destroy(self) -> None:
        self.menu.destroy()
