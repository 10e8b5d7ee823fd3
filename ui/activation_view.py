"""The neuron activation view: chosen channels of one layer, per model.

On top, the shared controls: the layer and neuron-group menus (discrete ``layer`` and
``neuron_group``), the channel entry (discrete ``channels``: typed channels, shown
instead of the group's) with ``Same in Every Row`` (``same_channels``: rows of models
of one architecture show the first such row's channels, so one unit is compared
across models), ``# of Neurons``, ``Act. Divisor 10^(v-2)`` (``act_normalization``; 0
divides by 4 standard deviations of the layer), ``Show Activations`` and ``Naive
Parameterization`` (which feature visualisations are shown: the slots look theirs up
again when it changes), with a one-line note on the visualisations being made beside
it (:meth:`set_featvis_note`).
Below, one :class:`ActivationRow` per enabled model output of the latest
:class:`InferenceResult`. :meth:`update` is meant to be called for every result: rows
are rebuilt only when their number, their map counts or the map size change.
Changing a view parameter redraws from the last result at once.
"""
from __future__ import annotations

import math
from typing import Callable, Optional, Sequence

from direct.gui import DirectGuiGlobals as DGG
from direct.gui.DirectGui import DirectEntry
from panda3d.core import TextNode

from game.core.params import BY_NAME, ParamError, ParamState
from game.core.parsers import parse_channels
from game.core.results import GROUP_TITLES, InferenceResult
from ui import theme
from ui.activation_row import (HEAD_H, INDEX_H, PAD, ActivationRow, FeatVisLookup,
                               FeatVisRequest, FeatVisStatus, GAP)
from ui.draw import Text, ellipsize
from ui.flag_check import FlagCheck
from ui.heatmap import divisor, row_channels
from ui.menus import Entry, TitledMenu
from ui.slider import ParamSlider
from ui.widgets import label

MENU_LABEL_W = theme.px(64)
ROW_GAP = theme.px(6)
MAX_MAP = theme.px(96)
VIEW_PARAMS = ("n_neurons", "act_normalization", "show_activations", "neuron_group",
               "channels", "same_channels")
CHANNELS_HINT = "e.g. 8, 48, 24"
FEATVIS_PARAMS = ("naive_param",)  # part of every visualisation's cache key


def group_title(key: str) -> str:
    return GROUP_TITLES.get(key, key.replace("_", " ").capitalize())


def group_entries(outputs, current: str = "most_active") -> list[Entry]:
    """``most_active`` first, then the groups any output has, in GROUP_TITLES order.

    ``current``, when no output has it, is listed greyed: the menu shows the truth
    while the rows fall back to the most active channels.
    """
    present = {g for o in outputs for g in o.groups}
    order = list(GROUP_TITLES) + sorted(present - set(GROUP_TITLES))
    keys = ["most_active"] + [g for g in order if g in present and g != "most_active"]
    entries = [Entry(k, group_title(k)) for k in keys]
    if current not in keys:
        entries.append(Entry(current, group_title(current), False))
    return entries


def map_size(n: int, rows: int, w: float, h: float) -> float:
    """The side of one map so that ``rows`` rows of ``n`` maps fit in ``w`` x ``h``."""
    by_w = (w - 2 * PAD - (n - 1) * GAP) / n
    by_h = ((h + ROW_GAP) / max(rows, 1) - ROW_GAP - HEAD_H - 2 * PAD - INDEX_H) / 2
    side = min(by_w, by_h, MAX_MAP)
    return theme.px(max(math.floor(side / theme.px(1)), 8))  # whole pixels at 800 px high


class ActivationView:
    """``w`` x ``h`` with its top-left corner at ``pos`` (x, z) in ``parent``.

    ``featvis_lookup(model, checkpoint, layer, channel)`` returns an (H, W, 3) image or
    None; ``on_request_featvis(slot, model, checkpoint, layer, channel)``, if given,
    puts a play button on missing ones (the hook for generating them);
    ``featvis_status(model, checkpoint, layer, channel)``, if given (or set later with
    :meth:`set_featvis_status`), tells missing ones being made (progress, the image so
    far) or failed apart: :meth:`refresh_progress` shows what is new.
    ``arch_of(model)`` names a model's architecture ("" = unknown) for ``Same in Every
    Row``; ``on_error(message, widget)`` reports a refused channel entry;
    :meth:`set_enlarge` makes a click on a visualisation show it large.
    """

    def __init__(self, parent, params: ParamState, w: float, h: float, pos,
                 layer_names: Sequence[str], featvis_lookup: FeatVisLookup,
                 on_request_featvis: Optional[FeatVisRequest] = None,
                 featvis_status: Optional[FeatVisStatus] = None,
                 arch_of: Callable[[str], str] = lambda model: model,
                 on_error: Callable[[str, object], None] = lambda message, widget: None):
        self.params, self.w, self.h = params, w, h
        self.featvis_lookup, self.on_request_featvis = featvis_lookup, on_request_featvis
        self.featvis_status = featvis_status
        self.on_enlarge = None  # see set_enlarge
        self.arch_of, self.on_error = arch_of, on_error
        self.root = parent.attachNewNode("activation-view")
        self.root.setPos(pos[0], 0, pos[1])
        self._build_controls(layer_names)
        self.rows_root = self.root.attachNewNode("rows")
        self.rows_root.setZ(-self.controls_h)
        self.rows: list[ActivationRow] = []
        self._signature = None
        self._result: InferenceResult | None = None
        self._channels: dict[str, tuple[int, ...]] = {}
        self._waiting = Text(self.rows_root, "waiting for the first frame...",
                             (PAD, -theme.px(18)), fg=theme.TEXT_DIM)
        self._unwatch = [
            params.watch("layer", lambda _name, value: self.layer_menu.select(value)),
            params.watch("neuron_group", lambda _name, value: self.group_menu.select(value)),
            params.watch("channels", lambda _name, value: self._show_channels(value)),
            params.watch("act_normalization", lambda _name, _value: self._show_divisor()),
            params.watch(VIEW_PARAMS, lambda _name, _value: self._redraw()),
            params.watch(FEATVIS_PARAMS, lambda _name, _value: self.refresh_featvis()),
        ]

    # -- controls --------------------------------------------------------------------
    def _build_controls(self, layer_names) -> None:
        p, row = self.params, theme.ROW_H
        base = -row / 2 - theme.TEXT_SCALE * 0.35
        menu_w = self.w - MENU_LABEL_W
        self._labels = [label(self.root, "Layer", (0, base)),
                        label(self.root, "Neurons", (0, base - row))]
        self.layer_menu = TitledMenu(self.root, [Entry(n, n) for n in layer_names], p["layer"],
                                     lambda v: p.set("layer", v), (MENU_LABEL_W, base), menu_w)
        self.group_menu = TitledMenu(self.root, group_entries((), p["neuron_group"]),
                                     p["neuron_group"], self._pick_group,
                                     (MENU_LABEL_W, base - row), menu_w)
        self._build_channel_row(-row * 2)
        self.sliders = {}
        for i, name in enumerate(("n_neurons", "act_normalization")):
            s = ParamSlider(self.root, BY_NAME[name], p, self.w)
            s.root.setZ(-row * (3 + i))
            self.sliders[name] = s
        self.show_check = FlagCheck(self.root, p, "show_activations", "Show Activations",
                                    (0, -row * 5))
        self.divisor_text = Text(self.root, "", (self.w, -row * 5.5 - theme.SMALL_SCALE * 0.35),
                                 fg=theme.TEXT_DIM, align=TextNode.ARight)
        self.naive_check = FlagCheck(self.root, p, "naive_param", "Naive Parameterization",
                                     (0, -row * 6))
        self._note_x = self.naive_check.button.getBounds()[1] + theme.px(8)
        self.featvis_note = Text(self.root, "", (self.w, -row * 6.5 - theme.SMALL_SCALE * 0.35),
                                 fg=theme.TEXT_DIM, align=TextNode.ARight)
        self._show_divisor()
        self.controls_h = row * 7 + theme.px(6)

    def _build_channel_row(self, z: float) -> None:
        """``Channels [8, 48, 24]  [x] Same in Every Row`` on the row at ``z``."""
        row, es = theme.ROW_H, theme.SMALL_SCALE
        self._labels.append(label(self.root, "Channels",
                                  (0, z - row / 2 - theme.TEXT_SCALE * 0.35)))
        self.same_check = FlagCheck(self.root, self.params, "same_channels", "Same in Every Row",
                                    (0, z), scale=es)
        check_w = self.same_check.button.getBounds()[1]
        self.same_check.root.setX(self.w - check_w)
        entry_w = self.w - MENU_LABEL_W - check_w - theme.px(10)
        h = row - theme.px(4)
        base = z - row / 2 - es * 0.35
        self.channel_entry = DirectEntry(
            parent=self.root, initialText="", scale=es, focus=0, numLines=1, overflow=1,
            pos=(MENU_LABEL_W + theme.px(4), 0, base), width=(entry_w - theme.px(8)) / es,
            relief=DGG.FLAT, frameColor=theme.FIELD_BG, text_fg=theme.TEXT,
            command=lambda _text: self._enter_channels(),
            focusInCommand=lambda: self._channel_hint.np.hide(),
            focusOutCommand=self._enter_channels,
            frameSize=(-theme.px(4) / es, (entry_w - theme.px(4)) / es,
                       -(h / 2 - es * 0.35) / es, (h / 2 + es * 0.35) / es))
        self._channel_hint = Text(self.root, CHANNELS_HINT, (MENU_LABEL_W + theme.px(4), base),
                                  fg=theme.TEXT_DIM)
        self._show_channels(self.params["channels"])

    def _pick_group(self, group: str) -> None:
        """A neuron group from the menu: its channels, not typed ones."""
        self.params.update({"neuron_group": group, "channels": ""})

    def _enter_channels(self) -> None:
        """The entry's text as ``channels``; a refused one is reported and taken back."""
        text = self.channel_entry.get().strip()
        try:
            parse_channels(text, self._channel_count())
            self.params.set("channels", text)
        except ParamError as exc:
            self.on_error(str(exc), self.channel_entry)
        self._show_channels(self.params["channels"])

    def _channel_count(self) -> int | None:
        """The most channels a shown layer has (None before the first activations)."""
        outputs = self._result.outputs if self._result is not None else ()
        counts = [len(o.activations) for o in outputs if o.activations is not None]
        return max(counts) if counts else None

    def _show_channels(self, value: str) -> None:
        if not self.channel_entry["focus"] and self.channel_entry.get() != value:
            self.channel_entry.enterText(value)
        self._channel_hint.np.hide() if value or self.channel_entry["focus"] \
            else self._channel_hint.np.show()

    def _show_divisor(self) -> None:
        v = float(self.params["act_normalization"])
        self.divisor_text.set("divided by 4 std of the layer" if v <= 0
                              else f"divided by {divisor(0.0, v):.3g}")

    def set_featvis_note(self, text: str) -> None:
        """One line beside the checkbox, e.g. "making block13:42 37 %, 2 queued"."""
        self.featvis_note.set(ellipsize(text, self.featvis_note.scale, self.w - self._note_x))

    def set_layers(self, names: Sequence[str]) -> None:
        """The tappable layers of the current Model 1."""
        self.layer_menu.set_entries([Entry(n, n) for n in names], self.params["layer"])

    # -- results ---------------------------------------------------------------------
    def update(self, result: InferenceResult | None) -> None:
        """Show ``result`` (cheap: call it for every inferred frame)."""
        self._result = result
        self._redraw()

    def shown_channels(self, slot: str) -> tuple[int, ...]:
        """The channels shown for ``slot`` now (none before its first result)."""
        return tuple(int(c) for c in self._channels.get(slot, ()))

    def refresh_featvis(self) -> None:
        """A feature visualisation became available: look them up again."""
        for row in self.rows:
            row.refresh_featvis()
        self._redraw()

    def set_featvis_status(self, status: Optional[FeatVisStatus]) -> None:
        self.featvis_status = status
        for row in self.rows:
            row.status_source = status
        self.refresh_featvis()

    def refresh_progress(self) -> None:
        """Visualisations being made moved on: show their progress and pictures so far."""
        for row in self.rows:
            row.refresh_progress()

    def picture_of(self, key: tuple):
        """The card showing the visualisation of (model, checkpoint, layer, channel), or None."""
        return next((card for card in (row.picture_of(key) for row in self.rows)
                     if card is not None), None)

    def set_enlarge(self, on_enlarge) -> None:
        """``on_enlarge(subject)``: a click on a visualisation shows it large (the rows
        are built again with it)."""
        self.on_enlarge = on_enlarge
        self._signature = None
        self._redraw()

    def _redraw(self) -> None:
        outputs = self._result.outputs if self._result is not None else ()
        p = self.params
        n, group = int(p["n_neurons"]), p["neuron_group"]
        entries = group_entries(outputs, group)
        if entries != self.group_menu.entries:
            self.group_menu.set_entries(entries, group)
        typed = parse_channels(p["channels"])
        chosen = row_channels(outputs, group, n, typed, p.flag("same_channels"), self.arch_of,
                              self._channels)
        for o, chans in zip(outputs, chosen):
            self._channels[o.slot] = chans
        maps = max(map(len, chosen), default=n) if typed else n  # typed: as many as typed
        self._ensure_rows([o.slot for o in outputs], [len(c) for c in chosen], max(maps, 1))
        show = bool(p["show_activations"])
        for row, o, chans in zip(self.rows, outputs, chosen):
            row.show(o, chans, float(p["act_normalization"]), show, self.featvis_lookup)
        self._waiting.np.show() if not outputs else self._waiting.np.hide()
        if self._result is not None and not outputs:
            self._waiting.set("no model enabled")

    def _ensure_rows(self, slots: list[str], counts: list[int], n: int) -> None:
        size = map_size(n, len(slots), self.w, self.h - self.controls_h)
        signature = (tuple(slots), tuple(counts), size)
        if signature == self._signature:
            return
        self._signature = signature
        for row in self.rows:
            row.destroy()
        self.rows, z = [], 0.0
        for slot, count in zip(slots, counts):
            row = ActivationRow(self.rows_root, slot, count, size, self.w, z,
                                self.on_request_featvis, self.on_enlarge)
            row.status_source = self.featvis_status
            self.rows.append(row)
            z -= row.height + ROW_GAP

    def destroy(self) -> None:
        for unwatch in self._unwatch:
            unwatch()
        for row in self.rows:
            row.destroy()
        for s in self.sliders.values():
            s.destroy()
        self.show_check.destroy()
        self.naive_check.destroy()
        self.same_check.destroy()
        self.channel_entry.destroy()
        self.layer_menu.destroy()
        self.group_menu.destroy()
        for lab in self._labels:
            lab.destroy()
        self.root.removeNode()
