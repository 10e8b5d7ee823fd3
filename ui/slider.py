"""One labelled slider bound to one parameter of the ParamState.

The slider watches its parameter: a change from elsewhere moves it (:meth:`ParamSlider.show`).
Moving the slider sets the parameter with the slider's own listener blocked, so it does
not hear its change back. DirectSlider reports every assignment of ``slider['value']``
(on construction too) one task step later, as if the thumb had been moved; the slider
remembers the exact position at which it last agreed with the model and ignores reports
of that position. Right-click the slider, or click the value read-out, to reset the
parameter to its default.
"""
from __future__ import annotations

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectButton, DirectSlider
from panda3d.core import TextNode

from game.core.params import Param, ParamError, ParamState
from ui import theme
from ui.widgets import fit_scale, label


def format_value(param: Param, value: float) -> str:
    if param.integer:
        return f"{int(round(value))}"
    span = param.max - param.min
    return f"{value:.0f}" if span >= 100 else f"{value:.1f}" if span >= 10 else f"{value:.2f}"


class ParamSlider:
    """A row ``label  [----o----]  value`` of width ``w``, top-left at the parent's origin."""

    def __init__(self, parent, param: Param, params: ParamState, w: float, bar_w: float = 0.0):
        self.param, self._params = param, params
        self.root = parent.attachNewNode(f"slider-{param.name}")
        h, mid = theme.ROW_H, -theme.ROW_H / 2
        base = mid - theme.TEXT_SCALE * 0.35
        scale = fit_scale(param.label, theme.TEXT_SCALE, theme.LABEL_W - theme.PAD)
        self.label = label(self.root, param.label, (0, base), scale=scale)
        slider_w = w - theme.LABEL_W - theme.VALUE_W - theme.PAD - bar_w
        # ``bar_w`` keeps room between the trough and the read-out (sensitivity bars).
        self.bar_zone = (theme.LABEL_W + slider_w + theme.px(6), theme.LABEL_W + slider_w + bar_w)
        value = params[param.name]
        self.slider = DirectSlider(
            parent=self.root, range=(param.min, param.max), value=value,
            pageSize=(param.max - param.min) / 20, orientation=DGG.HORIZONTAL,
            frameSize=(0, slider_w, -theme.TROUGH_H / 2, theme.TROUGH_H / 2),
            frameColor=theme.TROUGH, relief=DGG.FLAT, pos=(theme.LABEL_W, 0, mid),
            thumb_relief=DGG.FLAT, thumb_frameColor=theme.THUMB,
            thumb_frameSize=(-theme.THUMB_W / 2, theme.THUMB_W / 2,
                             -theme.THUMB_H / 2, theme.THUMB_H / 2),
            command=self._on_slider)
        for widget in (self.slider, self.slider.thumb):
            widget.bind(DGG.B3PRESS, lambda _evt: self.reset())
        self.value_button = DirectButton(
            parent=self.root, text=format_value(param, value), command=self.reset,
            text_scale=theme.TEXT_SCALE, text_align=TextNode.ARight,
            text_pos=(theme.VALUE_W, base - mid), relief=DGG.FLAT,
            frameColor=((0, 0, 0, 0), theme.HEADER_HOVER, theme.HEADER_HOVER, (0, 0, 0, 0)),
            frameSize=(0, theme.VALUE_W + theme.px(2), -h / 2, h / 2),
            pos=(w - theme.VALUE_W - theme.px(2), 0, mid), pressEffect=0)
        self._colour_value(value)
        self._agreed = self.slider.guiItem.getValue()  # the thumb's position for ``value``
        self._unwatch = params.watch(param.name, self._on_model)

    # -- model -> view -------------------------------------------------------------
    def show(self, value: float) -> None:
        """Move the slider to ``value`` without setting the parameter again."""
        self.value_button["text"] = format_value(self.param, value)
        self._colour_value(value)
        self.slider["value"] = value
        self._agreed = self.slider.guiItem.getValue()

    def _on_model(self, _name: str, value: float) -> None:
        self.show(value)

    # -- view -> model -------------------------------------------------------------
    def _on_slider(self) -> None:
        position = self.slider.guiItem.getValue()
        if position == self._agreed:
            return  # where the model put it: a report of our own assignment, not a move
        try:
            with self._params.blocking(self._on_model):
                self._params.set(self.param.name, self._snap(position))
        except ParamError as exc:  # cannot happen for in-range values; never crash the UI
            self.value_button["text"] = "!"
            print(f"[ui] {exc}")
            return
        self.show(self._params[self.param.name])  # an integer's thumb jumps to the whole number

    def reset(self) -> None:
        self._params.set(self.param.name, self.param.default)

    # -- helpers -------------------------------------------------------------------
    def _snap(self, v: float) -> float:
        v = min(max(v, self.param.min), self.param.max)
        return float(round(v)) if self.param.integer else round(v, 4)

    def _colour_value(self, value: float) -> None:
        changed = value != self.param.default
        self.value_button["text_fg"] = theme.CHANGED if changed else theme.TEXT_DIM

    def destroy(self) -> None:
        self._unwatch()
        self.slider.destroy()
        self.value_button.destroy()
        self.label.destroy()
        self.root.removeNode()
