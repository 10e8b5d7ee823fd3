"""Sliders grouped as in the thesis, each group under a collapsible header.

The groups are split in order over sub-columns so that the columns are about equally
tall; collapsing a header re-stacks the groups below it.
"""
from __future__ import annotations

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectButton
from panda3d.core import TextNode

from game.core.params import GROUP_LABELS, ParamState, params_in
from ui import theme
from ui.slider import ParamSlider


class SliderGroup:
    def __init__(self, parent, group: str, params: ParamState, w: float, bar_w: float = 0.0):
        self.group = group
        self.root = parent.attachNewNode(f"group-{group}")
        self.collapsed = False
        self._title = GROUP_LABELS[group]
        self.on_resize = lambda: None
        h = theme.ROW_H
        self.header = DirectButton(
            parent=self.root, text="", command=self.toggle, relief=DGG.FLAT,
            frameSize=(0, w, -h, 0),
            frameColor=(theme.HEADER_BG, theme.HEADER_HOVER, theme.HEADER_HOVER, theme.HEADER_BG),
            text_scale=theme.HEADER_SCALE, text_fg=theme.TEXT, text_align=TextNode.ALeft,
            text_pos=(theme.PAD * 0.75, -h / 2 - theme.HEADER_SCALE * 0.35), pressEffect=0)
        self.body = self.root.attachNewNode("rows")
        self.sliders: dict[str, ParamSlider] = {}
        for i, p in enumerate(params_in(group)):
            row = ParamSlider(self.body, p, params, w - theme.PAD * 0.75, bar_w)
            row.root.setPos(theme.PAD * 0.75, 0, -h * (i + 1))
            self.sliders[p.name] = row
        self._update_header()

    @property
    def height(self) -> float:
        rows = 0 if self.collapsed else len(self.sliders)
        return theme.ROW_H * (1 + rows)

    def set_title(self, text: str) -> None:
        self._title = text
        self._update_header()

    def toggle(self) -> None:
        self.set_collapsed(not self.collapsed)

    def set_collapsed(self, collapsed: bool) -> None:
        self.collapsed = collapsed
        if collapsed:
            self.body.stash()
        else:
            self.body.unstash()
        self._update_header()
        self.on_resize()

    def _update_header(self) -> None:
        self.header["text"] = ("+  " if self.collapsed else "-  ") + self._title

    def destroy(self) -> None:
        for row in self.sliders.values():
            row.destroy()
        self.header.destroy()
        self.root.removeNode()


def split_groups(groups: list[str], columns: int) -> list[list[str]]:
    """Consecutive runs of ``groups`` over ``columns`` columns, minimising the tallest."""
    rows = {g: 1 + len(params_in(g)) for g in groups}
    best = None
    for cuts in _cuts(len(groups), columns):
        parts = [groups[a:b] for a, b in zip((0,) + cuts, cuts + (len(groups),))]
        tallest = max(sum(rows[g] for g in part) for part in parts)
        if best is None or tallest < best[0]:
            best = (tallest, parts)
    return best[1]


def _cuts(n: int, k: int, start: int = 1):
    if k == 1:
        yield ()
        return
    for c in range(start, n - k + 2):
        for rest in _cuts(n, k - 1, c + 1):
            yield (c,) + rest


class SliderColumns:
    """Every group of ``groups`` in ``columns`` side-by-side stacks inside width ``w``."""

    def __init__(self, parent, params: ParamState, groups, w: float, columns: int = 2,
                 bar_w: float = 0.0):
        self.root = parent.attachNewNode("slider-columns")
        col_w = (w - theme.PAD * (columns - 1)) / columns
        self.groups: dict[str, SliderGroup] = {}
        self._stacks: list[list[SliderGroup]] = []
        for c, names in enumerate(split_groups(list(groups), columns)):
            stack = []
            for g in names:
                grp = SliderGroup(self.root, g, params, col_w, bar_w)
                grp.root.setX(c * (col_w + theme.PAD))
                grp.on_resize = self.restack
                self.groups[g] = grp
                stack.append(grp)
            self._stacks.append(stack)
        self.restack()

    def restack(self) -> None:
        for stack in self._stacks:
            z = 0.0
            for grp in stack:
                grp.root.setZ(z)
                z -= grp.height + theme.GROUP_GAP

    @property
    def height(self) -> float:
        return max(sum(g.height + theme.GROUP_GAP for g in s) - theme.GROUP_GAP for s in self._stacks)

    def destroy(self) -> None:
        for grp in self.groups.values():
            grp.destroy()
        self.root.removeNode()
