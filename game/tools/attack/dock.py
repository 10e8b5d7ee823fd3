"""Where the attack panel lives: at the bottom of the Predictions column, the prediction
view shrinking above it (its class pictures get smaller) so that nothing overlaps.

When the prediction blocks cannot fit above the open panel even with the smallest
pictures (e.g. three models), the last action wins: opening the panel folds
prediction blocks from the bottom up; unfolding a block or enabling a model folds the
panel back to its header.
"""
from __future__ import annotations

from ui import theme
from ui.prediction_block import BLOCK_GAP, block_height
from ui.prediction_view import CHECK_H, MIN_PICTURE

GAP = theme.px(8)


def needed_height(rows: list[int], collapsed: list[bool]) -> float:
    """The least height prediction blocks with ``rows`` bars need (smallest pictures)."""
    return CHECK_H + sum(block_height(0.0 if c else MIN_PICTURE, r, c) + BLOCK_GAP
                         for r, c in zip(rows, collapsed))


class PredictionDock:
    """``view``: the prediction view in ``column`` (the Predictions column); ``latest()``:
    the result it shows."""

    def __init__(self, view, column, panel, latest):
        self.view, self.panel, self.latest = view, panel, latest
        _, body_h = column.body_size
        self.full_h = self.view.h           # what the app gave the prediction view
        self.bottom = -(body_h - theme.PAD)  # the panel's bottom edge in right_body
        self._signature = None
        self._placing = False

    def _outputs(self):
        result = self.latest()
        return [o for o in (result.outputs if result else ()) if o.top]

    def signature(self):
        outs = self._outputs()
        return (tuple((o.slot, len(o.top)) for o in outs),
                tuple(self.view.collapsed.get(o.slot, False) for o in outs), self.panel.collapsed)

    def _need(self) -> float:
        outs = self._outputs()
        return needed_height([len(o.top) for o in outs],
                             [self.view.collapsed.get(o.slot, False) for o in outs])

    def place(self, opened: bool = False) -> None:
        """Lay out the panel and the view; ``opened``: the user just opened the panel."""
        if self._placing:
            return
        self._placing = True
        try:
            if not self.panel.collapsed and self._need() > self._avail():
                if opened:
                    self._fold_blocks()
                else:
                    self.panel.set_collapsed(True)
                    self.panel.set_note("folded: no room")
            elif opened:
                self.panel.set_note("")
            self.panel.root.setPos(theme.PAD, 0, self.bottom + self.panel.height)
            self.view.h = self._avail()
            self.view.update(self.latest())
            self._signature = self.signature()
        finally:
            self._placing = False

    def refit(self) -> None:
        """Call every frame: re-places only when the blocks or the panel changed."""
        if self.signature() != self._signature:
            self.place()

    def _avail(self) -> float:
        return self.full_h - self.panel.height - GAP

    def _fold_blocks(self) -> None:
        for o in reversed(self._outputs()):
            if self._need() <= self._avail():
                return
            self.view.set_collapsed(o.slot, True)

    def destroy(self) -> None:
        self.view.h = self.full_h
        self.view.update(self.latest())
