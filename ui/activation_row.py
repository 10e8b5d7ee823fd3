"""One model's row in the neuron activation view: maps on top, feature visualisations below.

The row is framed in the slot colour and labelled in its top-left corner.
It is built once for a number of maps and a map size and then only refreshed: map
textures get new pixels, texts change only when they differ, and a feature
visualisation is looked up again only when its (model, checkpoint, layer, channel)
changes or :meth:`refresh_featvis` asks for it.

A missing visualisation shows "no vis" and a play button (when requests are hooked
up). With a ``status`` source (see ``game.tools.featvis.service.VisStatus``) a missing one
also says what making it costs here ("~25 s"), a slot being made shows the partially
optimised image under a progress bar and "step 96/256" (or "37 %", "queued"), updated by
:meth:`refresh_progress`; a failed one says so and offers the button again. With
``on_enlarge`` a click on a visualisation (or the gamepad's press on the strip of them)
shows it large (``ui.enlarged_picture``).
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence

import numpy as np
from panda3d.core import TextNode

from game.core.results import SLOT_TITLES, SlotOutput
from game.core.texconv import numpy_to_texture
from ui import theme
from ui.draw import Text, as_uint8, card, ellipsize, nearest_texture, write_ram
from ui.enlarged_picture import FEATURE, Subject
from ui.heatmap import maps_ram
from ui.hit_area import hit_area
from ui.vis_status import BAND_H, cost_text, progress_band, show_progress
from ui.widgets import button

HEAD_H = theme.px(17)     # the coloured band with the row's label
BORDER = theme.px(2)
PAD = theme.px(5)
GAP = theme.px(4)         # between two maps
INDEX_H = theme.px(14)    # the channel numbers between maps and visualisations
INDEX_SCALE = theme.px(11)

FeatVisLookup = Callable[[str, int, str, int], Optional[np.ndarray]]
FeatVisRequest = Callable[[str, str, int, str, int], None]  # slot, model, checkpoint, layer, channel
FeatVisStatus = Callable[[str, int, str, int], object]  # -> a VisStatus (state, progress, preview...)
Enlarge = Callable[[Subject], None]  # show one picture large (ui.enlarged_picture)
COST_ROOM = theme.px(52)  # slots at least this high say the cost under the play button


def row_height(size: float) -> float:
    return HEAD_H + PAD + size + INDEX_H + size + PAD


class ActivationRow:
    """``count`` maps of ``size`` in a ``w``-wide framed row, top-left at ``z``."""

    def __init__(self, parent, slot: str, count: int, size: float, w: float, z: float,
                 on_request: Optional[FeatVisRequest] = None, on_enlarge: Optional[Enlarge] = None):
        self.slot, self.count, self.size = slot, count, size
        self.root = parent.attachNewNode(f"act-row-{slot}")
        self.root.setZ(z)
        self.height = row_height(size)
        colour = theme.SLOT_COLOURS.get(slot, theme.TEXT_DIM)
        ink = theme.ink_on(colour)
        card(self.root, w, self.height, colour, name="frame")
        card(self.root, w - 2 * BORDER, self.height - HEAD_H - BORDER, theme.PANEL_BG,
             (BORDER, -HEAD_H), "inside")
        base = -HEAD_H / 2 - theme.SMALL_SCALE * 0.35
        self.layer_text = Text(self.root, "", (w - PAD, base), fg=ink, align=TextNode.ARight)
        self.title_text = Text(self.root, "", (PAD, base), fg=ink)
        self._w = w
        self._on_request, self._on_enlarge = on_request, on_enlarge
        top = -HEAD_H - PAD
        xs = [PAD + i * (size + GAP) for i in range(count)]
        self.maps = [card(self.root, size, size, (1, 1, 1, 1), (x, top), "map") for x in xs]
        self.textures = [nearest_texture(f"act-{slot}-{i}") for i in range(count)]
        for m, tex in zip(self.maps, self.textures):
            m.setTexture(tex, 1)
        self.off_text = Text(self.root, "activations off", (PAD, top - size / 2),
                             fg=theme.TEXT_DIM)
        self.index_texts = [Text(self.root, "", (x + size / 2, top - size - INDEX_H * 0.75),
                                 scale=INDEX_SCALE, fg=theme.TEXT_DIM, align=TextNode.ACenter)
                            for x in xs]
        fv_top = top - size - INDEX_H
        self.featvis = [card(self.root, size, size, theme.FIELD_BG, (x, fv_top), "featvis")
                        for x in xs]
        self.no_vis = [Text(self.root, "no vis", (x + size / 2, fv_top - size / 2 + theme.px(3)),
                            scale=INDEX_SCALE, fg=theme.TEXT_DIM, align=TextNode.ACenter)
                       for x in xs]
        self.reasons = [Text(self.root, "", (x + size / 2, fv_top - theme.px(13)),
                             scale=INDEX_SCALE, fg=theme.ERROR, align=TextNode.ACenter)
                        for x in xs]  # why a visualisation failed, in a few words
        self.costs = [Text(self.root, "", (x + size / 2, fv_top - size + theme.px(5)),
                           scale=INDEX_SCALE, fg=theme.TEXT_DIM, align=TextNode.ACenter)
                      for x in xs]  # what making a missing one costs, under its play button
        self._enlarged = -1  # the slot enlarged last (the gamepad's press: the next one)
        self.enlarge_hit = self._enlarge_hit(fv_top, xs[-1] + size - PAD if xs else 0.0)
        self.request_buttons = [self._request_button(x, fv_top, i) for i, x in enumerate(xs)]
        self.bars = [self._progress_bar(x, fv_top) for x in xs]
        self.channels: tuple[int, ...] = ()
        self._fv_keys: list = [None] * count
        self.featvis_shown = [False] * count
        self.featvis_state = ["missing"] * count   # per slot: done, queued, running, failed, missing
        self._fv_revision: list = [None] * count
        self._fv_textures: list = [None] * count
        self.status_source: FeatVisStatus | None = None
        self._output: SlotOutput | None = None

    def _request_button(self, x: float, z: float, i: int):
        """The hook for generating a missing visualisation: a small play button."""
        if self._on_request is None:
            return None
        b = theme.px(16)
        return button(self.root, ">", lambda: self._request(i),
                      (x + (self.size - b) / 2, z - self.size / 2 - theme.px(2)), b, b,
                      scale=INDEX_SCALE)

    def _progress_bar(self, x: float, fv_top: float):
        """A dark band at the bottom of a slot: a fill growing with the progress and its %."""
        band = progress_band(self.root, self.size, INDEX_SCALE)
        band[0].setPos(x, 0, fv_top - self.size + BAND_H)
        return band

    def _enlarge_hit(self, fv_top: float, w: float):
        """One invisible button over the visualisations (under their play buttons): a
        click enlarges the one under the mouse, the gamepad's press the next one."""
        if self._on_enlarge is None:
            return None
        return hit_area(self.root, w, self.size, self._enlarge_at, self._enlarge_next,
                        (PAD, fv_top))

    def _enlarge_at(self, x: float, _z: float) -> None:
        i = int(x // (self.size + GAP))
        if 0 <= i < len(self.channels) and x - i * (self.size + GAP) <= self.size:
            self.enlarge(i)

    def _enlarge_next(self) -> None:
        if self.channels:
            self.enlarge((self._enlarged + 1) % len(self.channels))

    def enlarge(self, i: int) -> None:
        """Show slot ``i``'s visualisation large."""
        o = self._output
        if self._on_enlarge is None or o is None or i >= len(self.channels):
            return
        self._enlarged = i
        model = f"{SLOT_TITLES.get(o.slot, o.slot)}: {o.title}" + \
            (f" @{o.checkpoint}" if o.checkpoint else "")
        self._on_enlarge(Subject((o.model, o.checkpoint, o.layer, self.channels[i]),
                                 f"{o.layer} #{self.channels[i]}", model, FEATURE))

    def _request(self, i: int) -> None:
        o = self._output
        if o is not None and i < len(self.channels):
            self._on_request(o.slot, o.model, o.checkpoint, o.layer, self.channels[i])
            self._refresh_slot(i)  # "queued" at once, not at the next progress report

    # -- refreshing ------------------------------------------------------------------
    def show(self, output: SlotOutput, channels: Sequence[int], act_normalization: float,
             show_activations: bool, featvis_lookup: FeatVisLookup) -> None:
        self._output = output
        self._set_header(output)
        channels = tuple(channels)[: self.count]
        if channels != self.channels:
            self.channels = channels
            for i, t in enumerate(self.index_texts):
                t.set(f"#{channels[i]}" if i < len(channels) else "")
        acts_on = show_activations and output.activations is not None and bool(channels)
        if acts_on:
            ram = maps_ram(output.activations, channels, output.layer_std, act_normalization)
            for i, m in enumerate(self.maps):
                if i < len(channels):
                    write_ram(self.textures[i], ram[i])
                    m.show()
                else:
                    m.hide()
            self.off_text.np.hide()
        else:
            for m in self.maps:
                m.hide()
            self.off_text.np.show()
        self._show_featvis(output, featvis_lookup)

    def _set_header(self, output: SlotOutput) -> None:
        self.layer_text.set(output.layer)
        room = self._w - 3 * PAD - self.layer_text.width()
        title = f"{SLOT_TITLES.get(output.slot, output.slot)}: {output.title}"
        if output.checkpoint:
            title += f" @{output.checkpoint}"
        self.title_text.set(ellipsize(title, self.title_text.scale, room))

    def _show_featvis(self, output: SlotOutput, lookup: FeatVisLookup) -> None:
        for i, slot in enumerate(self.featvis):
            key = ((output.model, output.checkpoint, output.layer, self.channels[i])
                   if i < len(self.channels) else None)
            if key == self._fv_keys[i]:
                continue
            self._fv_keys[i] = key
            image = lookup(*key) if key is not None else None
            status = (self.status_source(*key) if image is None and key is not None
                      and self.status_source is not None else None)
            self._apply(i, image, status, present=key is not None)
            slot.show() if key is not None else slot.hide()

    def picture_of(self, key: tuple):
        """The card showing the visualisation of (model, checkpoint, layer, channel), or None."""
        return next((card for card, shown in zip(self.featvis, self._fv_keys) if shown == key),
                    None)

    def refresh_featvis(self) -> None:
        """Look every visualisation up again on the next :meth:`show` (one became ready)."""
        self._fv_keys = [None] * self.count

    def refresh_progress(self) -> None:
        """Ask the status source again for every slot not showing a finished image (cheap:
        call it whenever the service reports progress)."""
        if self.status_source is None:
            return
        for i, key in enumerate(self._fv_keys):
            if key is not None and not self.featvis_shown[i]:
                self._refresh_slot(i)

    def _refresh_slot(self, i: int) -> None:
        key = self._fv_keys[i]
        if key is None or self.status_source is None:
            return
        status = self.status_source(*key)
        image = status.image if status.state == "done" else None
        self._apply(i, image, None if image is not None else status)

    def _apply(self, i: int, image, status, present: bool = True) -> None:
        """Show a finished ``image``, or what ``status`` says (being made, failed, missing);
        ``present``: False for a slot beyond the channels shown (everything hidden)."""
        state = "done" if image is not None else (status.state if status is not None else "missing")
        revision = (self._fv_keys[i], state, status.revision if status is not None else None)
        if state not in ("done", "missing") and revision == self._fv_revision[i] \
                and self.featvis_state[i] == state:
            return  # nothing new since the last report
        self._fv_revision[i] = revision
        self.featvis_state[i] = state
        self.featvis_shown[i] = image is not None
        picture = image if image is not None else (status.preview if status is not None else None)
        self._set_picture(i, picture, final=image is not None)
        show_progress(self.bars[i], status if image is None else None, self.size)
        note, reason = self.no_vis[i], self.reasons[i]
        failed = state == "failed"
        empty = present and state in ("missing", "failed")
        cost = cost_text(status.estimate) if empty and status is not None \
            and status.estimate > 0 else ""
        roomy = self.size >= COST_ROOM
        note.set("failed" if failed else "no vis" if roomy or not cost else cost)
        note.set_fg(theme.ERROR if failed else theme.TEXT_DIM)
        reason.set(ellipsize(status.error, INDEX_SCALE, self.size - theme.px(6)) if failed else "")
        self.costs[i].set(cost if roomy else "")
        note.np.show() if empty else note.np.hide()
        btn = self.request_buttons[i]
        if btn is not None:
            btn.show() if empty else btn.hide()

    def _set_picture(self, i: int, picture, final: bool) -> None:
        slot = self.featvis[i]
        if picture is None:
            slot.clearTexture()
            slot.setColor(*theme.FIELD_BG)
            return
        pixels = as_uint8(picture)
        if final:  # a finished image gets its own texture (mipmapped, kept by the card)
            tex = numpy_to_texture(pixels, f"featvis-{self.slot}-{i}", mipmaps=True,
                                   anisotropy=1)
        else:      # a preview reuses one texture per slot: new pixels every few steps
            tex = self._fv_textures[i]
            tex = numpy_to_texture(pixels, f"featvis-preview-{self.slot}-{i}", tex=tex)
            self._fv_textures[i] = tex
        slot.setTexture(tex, 1)
        slot.setColor(1, 1, 1, 1)

    def destroy(self) -> None:
        for b in self.request_buttons:
            if b is not None:
                b.destroy()
        if self.enlarge_hit is not None:
            self.enlarge_hit.destroy()
        self.root.removeNode()
