"""Gamepad focus: a cursor over every focusable DirectGUI control of the window.

The controls are found by walking the scene graph under aspect2d, not from a list,
so panels added later are reachable without changes here: every visible, enabled
DirectSlider, DirectOptionMenu, DirectButton, DirectCheckButton and DirectEntry,
ordered by column (the layout's three columns, then anything else such as dialogs)
and top to bottom, left to right within a column. A widget's components (a slider's
thumb, a menu's popup items) are part of it and never stops of their own.

Changing the focused value goes through the widget itself (its command), so the
panel code that owns the widget sets the parameter as for a mouse click.
"""
from __future__ import annotations

from typing import Callable, Sequence

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectButton import DirectButton
from direct.gui.DirectCheckButton import DirectCheckButton
from direct.gui.DirectEntry import DirectEntry
from direct.gui.DirectGuiBase import DirectGuiWidget
from direct.gui.DirectOptionMenu import DirectOptionMenu
from direct.gui.DirectSlider import DirectSlider
from panda3d.core import NodePath, Point3

from ui.widgets import frame_bounds

KINDS = ((DirectSlider, "slider"), (DirectOptionMenu, "menu"),
         (DirectCheckButton, "check"), (DirectEntry, "entry"), (DirectButton, "button"))
SLIDER_STEPS = 20  # a press moves a slider by 1/20 of its range (at least 1 for integers)


def kind_of(widget) -> str | None:
    for cls, kind in KINDS:
        if isinstance(widget, cls):
            return kind
    return None


def find_focusable(root: NodePath, columns: Sequence[tuple[float, float]] = (),
                   skip: Callable[[object], bool] | None = None) -> list:
    """Focusable widgets under ``root``, ordered by column then top-to-bottom.

    ``columns``: (left, right) x ranges in ``root`` coordinates; a widget belongs to
    the first one containing its left edge, widgets outside all come last.
    """
    found = []
    stack = [root]
    while stack:
        np = stack.pop()
        for child in np.getChildren():
            if child.isStashed() or child.isHidden():
                continue
            widget = _widget(child)
            if widget is not None and kind_of(widget) is not None:
                if _usable(widget) and not (skip and skip(widget)):
                    found.append(widget)
                continue  # its components are part of it
            stack.append(child)

    cols: dict[int, list] = {}
    for widget in found:
        box = _bounds(widget, root)
        col = next((i for i, (lo, hi) in enumerate(columns) if lo <= box[0] < hi), len(columns))
        cols.setdefault(col, []).append((widget, box))
    return [w for col in sorted(cols) for w, _box in reading_order(cols[col])]


GAP = 0.004  # aspect2d units: boxes closer than this belong to one band


def reading_order(items: list) -> list:
    """(widget, (left, right, bottom, top)) in reading order, by recursive X-Y cuts:
    split into bands at horizontal gaps first (top to bottom), else into sub-columns at
    vertical gaps (left to right), else rows of similar height, left to right. Two
    columns of slider rows side by side are read one column after the other."""
    if len(items) <= 1:
        return items
    for groups in (_cut(items, vertical=False), _cut(items, vertical=True)):
        if len(groups) > 1:
            return [it for g in groups for it in reading_order(g)]
    items = sorted(items, key=lambda it: -(it[1][2] + it[1][3]) / 2)
    rows, row = [], [items[0]]
    for it in items[1:]:
        zc, z0 = (it[1][2] + it[1][3]) / 2, (row[0][1][2] + row[0][1][3]) / 2
        if z0 - zc > 0.015:
            rows.append(row)
            row = []
        row.append(it)
    rows.append(row)
    return [it for r in rows for it in sorted(r, key=lambda it: it[1][0])]


def _cut(items: list, vertical: bool) -> list[list]:
    if vertical:  # left to right, split where no box spans the gap
        items = sorted(items, key=lambda it: it[1][0])
        groups, edge = [[items[0]]], items[0][1][1]
        for it in items[1:]:
            if it[1][0] > edge + GAP:
                groups.append([])
            groups[-1].append(it)
            edge = max(edge, it[1][1])
        return groups
    items = sorted(items, key=lambda it: -it[1][3])  # top to bottom
    groups, edge = [[items[0]]], items[0][1][2]
    for it in items[1:]:
        if it[1][3] < edge - GAP:
            groups.append([])
        groups[-1].append(it)
        edge = min(edge, it[1][2])
    return groups


def describe(widget) -> str:
    """A name for ``widget`` that is stable across runs (recordings, logs):
    ``kind:owner[:text]`` where owner is the nearest named ancestor such as
    ``slider-hue`` or ``check-show_activations``."""
    kind = kind_of(widget) or "widget"
    np, owner = widget.getParent(), ""
    while not np.isEmpty():
        name = np.getName()
        if name and "-pg" not in name and not name.startswith(("aspect2d", "render2d")):
            owner = name
            break
        np = np.getParent()
    text = ""
    if kind in ("button", "check"):
        try:
            text = widget["text"]
        except KeyError:
            text = ""
        text = text if isinstance(text, str) else ""
    return ":".join(part for part in (kind, owner, text.strip()) if part)


def _widget(np: NodePath):
    name = np.getName()
    if "-" not in name:
        return None
    widget = DirectGuiWidget.guiDict.get(name.split("-", 1)[1])
    return widget if widget is not None and widget == np else None


def _usable(widget) -> bool:
    try:
        return widget["state"] != DGG.DISABLED
    except (KeyError, AttributeError):
        return True


def _bounds(widget, root: NodePath) -> tuple[float, float, float, float]:
    x0, x1, z0, z1 = frame_bounds(widget)
    lo = root.getRelativePoint(widget, Point3(x0, 0, z0))
    hi = root.getRelativePoint(widget, Point3(x1, 0, z1))
    return min(lo.x, hi.x), max(lo.x, hi.x), min(lo.z, hi.z), max(lo.z, hi.z)


def bounds(widget, root: NodePath) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) of ``widget`` in ``root`` coordinates."""
    return _bounds(widget, root)


class Focus:
    """The focus cursor. ``refresh()`` re-reads the widgets (cheap; done on every move)."""

    def __init__(self, root: NodePath, columns: Callable[[], Sequence[tuple[float, float]]]
                 = lambda: (), skip_item: Callable[[str], bool] | None = None,
                 skip: Callable[[object], bool] | None = None):
        self.root = root
        self.columns = columns
        self.skip_item = skip_item  # menu items never picked by the pad (e.g. "Open file...")
        self.skip = skip
        self.widgets: list = []
        self.current = None
        self.listeners: list[Callable[[object], None]] = []

    # -- which widget ------------------------------------------------------------
    def refresh(self) -> list:
        self.widgets = find_focusable(self.root, self.columns(), self.skip)
        if self.current is not None and self.current not in self.widgets:
            self.current = None
        return self.widgets

    def column_of(self, widget) -> int:
        x0 = _bounds(widget, self.root)[0]
        cols = self.columns()
        return next((i for i, (lo, hi) in enumerate(cols) if lo <= x0 < hi), len(cols))

    def move(self, step: int) -> object | None:
        widgets = self.refresh()
        if not widgets:
            return self._set(None)
        if self.current is None:
            return self._set(widgets[0] if step >= 0 else widgets[-1])
        i = widgets.index(self.current)
        return self._set(widgets[(i + step) % len(widgets)])

    def move_column(self, step: int) -> object | None:
        """The first widget of the next (step=1) or previous (-1) column that has any."""
        widgets = self.refresh()
        if not widgets:
            return self._set(None)
        cols = [self.column_of(w) for w in widgets]
        here = cols[widgets.index(self.current)] if self.current is not None else -1
        order = sorted(set(cols))
        pos = order.index(here) if here in order else -1
        target = order[(pos + step) % len(order)]
        return self._set(widgets[cols.index(target)])

    def focus(self, widget) -> None:
        self.refresh()
        self._set(widget if widget in self.widgets else None)

    def _set(self, widget):
        self.current = widget
        for fn in list(self.listeners):
            fn(widget)
        return widget

    # -- changing it ---------------------------------------------------------------
    def change(self, step: int) -> bool:
        """Slider +/- one step, menu next/previous item, checkbox/button: toggle/press."""
        w = self._valid()
        if w is None:
            return False
        kind = kind_of(w)
        if kind == "slider":
            lo, hi = sorted(w["range"])
            delta = (hi - lo) / SLIDER_STEPS
            if isinstance(lo, int) and isinstance(hi, int):  # a whole-number slider
                delta = max(round(delta), 1)
            value = min(max(float(w["value"]) + step * delta, lo), hi)
            w["value"] = value
            w.commandFunc()  # now, not on the next frame
            return True
        if kind == "menu":
            return self._menu_step(w, step)
        return self.activate()

    def activate(self) -> bool:
        """Press a button, toggle a checkbox, next menu item, give an entry the keyboard."""
        w = self._valid()
        if w is None:
            return False
        kind = kind_of(w)
        if kind == "menu":
            return self._menu_step(w, 1)
        if kind == "entry":
            w["focus"] = 1
            return True
        if kind == "slider":
            return self.change(1)
        w.commandFunc(None)  # DirectButton / DirectCheckButton: as a click
        return True

    def _menu_step(self, menu, step: int) -> bool:
        items = list(menu["items"])
        n = len(items)
        if n < 2:
            return False
        index = menu.selectedIndex
        for _ in range(n - 1):
            index = (index + step) % n
            item = menu.component(f"item{index}")
            if item["state"] == DGG.DISABLED or (self.skip_item and self.skip_item(items[index])):
                continue
            menu.set(index)
            return True
        return False

    def _valid(self):
        w = self.current
        if w is None or w.isEmpty() or w.isHidden():
            self.refresh()
            return self.current if self.current is not None and not self.current.isEmpty() \
                else None
        return w
