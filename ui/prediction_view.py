"""The prediction view: the top-k classes of every enabled model.

A ``Show Predictions`` checkbox (param ``show_predictions``) and a ``Logits`` one
(``show_logits``) on top, then one :class:`PredictionBlock` per output whose ``top``
is not None. Bars are normalised by the largest probability (or logit) over the
blocks shown, so models compare at a glance while the written values keep the
absolute scale. Collapsing a block is a matter of
this view only (it saves no computation), so its state lives here, not in params.

Class pictures come from ``class_vis_lookup(model, checkpoint, class_index)``; a miss
calls ``request_class_vis`` once per key and shows a placeholder until
:meth:`refresh_class_vis` is called. Ready pictures are kept as textures, so hovering
back and forth costs nothing. :meth:`set_class_vis` adds a status source (a missing
picture then says what it costs, one being made shows its progress on
:meth:`refresh_progress`) and what a click on a picture or a row does (show it large).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Optional

import numpy as np
from panda3d.core import Texture

from game.core.params import ParamState
from game.core.results import InferenceResult
from game.core.texconv import numpy_to_texture
from ui import theme
from ui.draw import Text, as_uint8
from ui.enlarged_picture import Subject
from ui.flag_check import FlagCheck
from ui.prediction_block import BLOCK_GAP, PredictionBlock, block_height

CHECK_H = theme.ROW_H + theme.px(4)
MIN_PICTURE, MAX_PICTURE = theme.px(56), theme.px(150)
TEXTURE_CACHE = 64

ClassVisLookup = Callable[[str, int, int], Optional[np.ndarray]]
ClassVisRequest = Callable[[str, int, int], None]
ClassVisStatus = Callable[[str, int, int], object]  # -> a VisStatus (state, progress, estimate...)


def picture_size(w: float, h: float, rows: list[int], collapsed: list[bool]) -> float:
    """The class picture side that lets every block fit in ``h`` (within sensible bounds)."""
    fixed = sum(block_height(0.0, r, c) + BLOCK_GAP for r, c in zip(rows, collapsed))
    open_blocks = sum(1 for c in collapsed if not c)
    if not open_blocks:
        return MAX_PICTURE
    side = (h - fixed) / open_blocks
    side = min(max(side, MIN_PICTURE), MAX_PICTURE, w * 0.55)
    return theme.px(int(side / theme.px(1)))


class PredictionView:
    """``w`` x ``h`` with its top-left corner at ``pos`` (x, z) in ``parent``."""

    def __init__(self, parent, params: ParamState, w: float, h: float, pos,
                 class_vis_lookup: ClassVisLookup, request_class_vis: ClassVisRequest):
        self.params, self.w, self.h = params, w, h
        self._lookup, self._request = class_vis_lookup, request_class_vis
        self._status: ClassVisStatus | None = None
        self._on_enlarge: Callable[[Subject], None] | None = None
        self.root = parent.attachNewNode("prediction-view")
        self.root.setPos(pos[0], 0, pos[1])
        self.show_check = FlagCheck(self.root, params, "show_predictions", "Show Predictions")
        x = self.show_check.button.getBounds()[1] + theme.px(16)
        self.logits_check = FlagCheck(self.root, params, "show_logits", "Logits", (x, 0))
        self._unwatch = params.watch("show_logits", lambda _name, _value: self._redraw())
        self.blocks_root = self.root.attachNewNode("blocks")
        self.blocks_root.setZ(-CHECK_H)
        self.message = Text(self.blocks_root, "waiting for the first frame...",
                            (0, -theme.px(18)), fg=theme.TEXT_DIM)
        self.blocks: list[PredictionBlock] = []
        self.collapsed: dict[str, bool] = {}
        self.requested: set[tuple] = set()
        self._textures: OrderedDict[tuple, Texture] = OrderedDict()
        self._signature = None
        self._result: InferenceResult | None = None

    # -- results ---------------------------------------------------------------------
    def update(self, result: InferenceResult | None) -> None:
        """Show ``result`` (cheap: call it for every inferred frame)."""
        self._result = result
        self._redraw()

    def _redraw(self) -> None:
        outputs = [o for o in (self._result.outputs if self._result else ()) if o.top]
        self._ensure_blocks(outputs)
        shown = [o for o in outputs if not self.collapsed.get(o.slot, False)]
        logits = self.params.flag("show_logits")
        key = "logit" if logits else "prob"
        max_value = max((float(e[key]) for o in shown for e in o.top), default=0.0)
        for block, o in zip(self.blocks, outputs):
            block.show(o, max_value, logits)
        self.message.np.show() if not outputs else self.message.np.hide()
        if self._result is not None and not outputs:
            self.message.set("predictions off" if not self.params["show_predictions"]
                             else "no predictions")

    def _ensure_blocks(self, outputs) -> None:
        slots = [o.slot for o in outputs]
        rows = [len(o.top) for o in outputs]
        collapsed = [self.collapsed.get(s, False) for s in slots]
        side = picture_size(self.w, self.h - CHECK_H, rows, collapsed)
        signature = (tuple(slots), tuple(rows), tuple(collapsed), side)
        if signature == self._signature:
            return
        self._signature = signature
        for block in self.blocks:
            block.destroy()
        self.blocks, z = [], 0.0
        for slot, r, c in zip(slots, rows, collapsed):
            block = PredictionBlock(self.blocks_root, slot, r, self.w, z, side, c,
                                    self.toggle, self._picture,
                                    self._class_status if self._status is not None else None,
                                    self._on_enlarge)
            self.blocks.append(block)
            z -= block.height + BLOCK_GAP

    # -- collapsing ------------------------------------------------------------------
    def toggle(self, slot: str) -> None:
        self.set_collapsed(slot, not self.collapsed.get(slot, False))

    def set_collapsed(self, slot: str, collapsed: bool) -> None:
        self.collapsed[slot] = collapsed
        self._redraw()

    # -- class pictures --------------------------------------------------------------
    def _picture(self, key: tuple) -> Optional[Texture]:
        """The texture for (model, checkpoint, class); asks for it once when missing."""
        if key in self._textures:
            self._textures.move_to_end(key)
            return self._textures[key]
        image = self._lookup(*key)
        if image is None:
            if key not in self.requested:
                self.requested.add(key)
                self._request(*key)
            return None
        tex = numpy_to_texture(as_uint8(image), f"class-vis-{key}", mipmaps=True,
                               anisotropy=1)
        self._textures[key] = tex
        while len(self._textures) > TEXTURE_CACHE:
            self._textures.popitem(last=False)
        return tex

    def refresh_class_vis(self) -> None:
        """A requested picture is ready: show it where a placeholder is shown."""
        for block in self.blocks:
            if not block.showing_picture:
                block.refresh_picture()

    def set_class_vis(self, status: ClassVisStatus | None,
                      on_enlarge: Callable[[Subject], None] | None = None) -> None:
        """``status(model, checkpoint, class_index)`` of pictures not there yet;
        ``on_enlarge(subject)``: a click on a picture or a row shows that class large."""
        self._status, self._on_enlarge = status, on_enlarge
        self._signature = None  # the blocks again, with both
        self._redraw()

    def _class_status(self, key: tuple):
        return self._status(*key)

    def refresh_progress(self) -> None:
        """Pictures being made moved on: show their progress (cheap: no status source
        is asked for a finished picture)."""
        for block in self.blocks:
            block.refresh_progress()

    def picture_of(self, key: tuple):
        """The card showing (model, checkpoint, class index) now, or None."""
        return next((b.picture for b in self.blocks
                     if b.key == key and not b.collapsed), None)

    def destroy(self) -> None:
        self._unwatch()
        for block in self.blocks:
            block.destroy()
        self.show_check.destroy()
        self.logits_check.destroy()
        self.root.removeNode()
