"""The checkpoint slider of a model slot: it sets the parameter only on release.

Loading a checkpoint takes seconds (thesis: "the iteration slider loads the
respective checkpoint only upon releasing the mouse"), so dragging only moves the
thumb and the read-out; releasing the thumb (or a click on the trough) snaps to the
nearest checkpoint and sets ``<slot>_checkpoint``. The slider runs over the *index* of
the entry's checkpoints, oldest first, with the final weights (iteration 0) last.
"""
from __future__ import annotations

from typing import Sequence

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectSlider
from panda3d.core import TextNode

from game.core.params import ParamState
from ui import theme
from ui.draw import Text

LABEL_W = theme.px(78)
VALUE_W = theme.px(48)


def checkpoint_stops(checkpoints: Sequence[int]) -> list[int]:
    """Training iterations oldest first, then 0 (the final weights), each once."""
    return sorted({int(c) for c in checkpoints if int(c) != 0}) + [0]


def format_iteration(it: int) -> str:
    if it == 0:
        return "final"
    if it >= 1000:
        k = it / 1000
        return f"{k:.0f}k" if k == round(k) or k >= 100 else f"{k:.1f}k"
    return str(it)


def nearest_index(stops: Sequence[int], value: int) -> int:
    if value in stops:
        return list(stops).index(value)
    trained = [s for s in stops if s != 0]
    if not trained:
        return len(stops) - 1
    return min(range(len(trained)), key=lambda i: abs(trained[i] - value))


class CheckpointSlider:
    """``Checkpoint [----o----] 12k`` in a ``w`` x ``h`` row, top-left at ``pos``."""

    def __init__(self, parent, params: ParamState, name: str, w: float, pos=(0.0, 0.0),
                 h: float = theme.px(22)):
        self.params, self.name = params, name
        self.stops: list[int] = [0]
        self.root = parent.attachNewNode(f"checkpoint-{name}")
        self.root.setPos(pos[0], 0, pos[1])
        base = -h / 2 - theme.SMALL_SCALE * 0.35
        self.label = Text(self.root, "Checkpoint", (0, base), fg=theme.TEXT_DIM)
        self.readout = Text(self.root, "", (w, base), align=TextNode.ARight)
        self.only_final = Text(self.root, "final weights only", (LABEL_W, base), fg=theme.TEXT_DIM)
        slider_w = w - LABEL_W - VALUE_W
        self.slider = DirectSlider(
            parent=self.root, range=(0, 1), value=0, pageSize=1, orientation=DGG.HORIZONTAL,
            frameSize=(0, slider_w, -theme.TROUGH_H / 2, theme.TROUGH_H / 2),
            frameColor=theme.TROUGH, relief=DGG.FLAT, pos=(LABEL_W, 0, -h / 2),
            thumb_relief=DGG.FLAT, thumb_frameColor=theme.THUMB,
            thumb_frameSize=(-theme.THUMB_W / 2, theme.THUMB_W / 2,
                             -theme.THUMB_H / 2, theme.THUMB_H / 2),
            command=self._dragged)
        for widget in (self.slider, self.slider.thumb):
            widget.bind(DGG.B1RELEASE, lambda _evt: self.commit())
        self.set_stops([0])

    # -- stops and the parameter -> view ---------------------------------------------
    def set_stops(self, checkpoints: Sequence[int]) -> None:
        """The checkpoints of the slot's model; one stop (final only) hides the slider."""
        self.stops = checkpoint_stops(checkpoints)
        if len(self.stops) <= 1:
            self.slider.hide()
            self.readout.np.hide()
            self.only_final.np.show()
        else:
            self.slider["range"] = (0, len(self.stops) - 1)
            self.slider.show()
            self.readout.np.show()
            self.only_final.np.hide()
        self.show(self.params[self.name])

    def show(self, iteration) -> None:
        """Move the thumb to ``iteration`` without setting the parameter."""
        index = nearest_index(self.stops, int(iteration))
        if abs(float(self.slider["value"]) - index) > 1e-6:
            self.slider["value"] = index
        self.readout.set(format_iteration(self.stops[index]))

    @property
    def index(self) -> int:
        return min(max(int(round(float(self.slider["value"]))), 0), len(self.stops) - 1)

    # -- view -> parameter -----------------------------------------------------------
    def _dragged(self) -> None:
        if getattr(self, "slider", None) is None:  # fired during DirectSlider's construction
            return
        self.readout.set(format_iteration(self.stops[self.index]))  # live, nothing loads

    def commit(self) -> None:
        """The thumb was released: snap to a checkpoint and set the parameter (once)."""
        index = self.index
        self.slider["value"] = index
        self.readout.set(format_iteration(self.stops[index]))
        if int(self.params[self.name]) != self.stops[index]:
            self.params.set(self.name, self.stops[index])

    def destroy(self) -> None:
        self.slider.destroy()
        self.root.removeNode()
