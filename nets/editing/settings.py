"""The ``edit_weights`` string: per-block mixing factors and pruning ranges, validated.

One string holds the settings of both editing modes, so switching modes loses nothing:

    "block3=0.5,block7=1"             Mix: alpha per block (0 = Model 1, 1 = Model 2)
    "block3=0.1:0.9,conv_last=0:0.5"  Prune: kept range [rl, ru] per block
    "block3=0.5,block3=0.2:1"         both; each mode reads its own items

Blocks left out are unedited (alpha 0, range 0:1), so ``""`` means nothing edited and
:func:`format_edits` leaves such defaults out. Values are fractions in [0, 1]; a range
needs rl <= ru. Every error is an :class:`EditError` naming the offending item.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Collection, Mapping, Sequence

MODES = ("mix", "prune")
FULL = (0.0, 1.0)


class EditError(ValueError):
    """An edit the models or the settings do not allow; the message says which and why."""


@dataclass(frozen=True)
class EditSettings:
    """Mix factors and prune ranges by block name (only the edited blocks)."""
    mix: Mapping[str, float] = field(default_factory=dict)
    prune: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def of(self, mode: str) -> Mapping:
        if mode not in MODES:
            raise EditError(f"edit mode {mode!r}: choose one of {', '.join(MODES)}")
        return self.mix if mode == "mix" else self.prune

    def with_mix(self, block: str, alpha: float) -> "EditSettings":
        mix = dict(self.mix)
        alpha = _fraction(alpha, f"{block}={alpha}")
        mix.pop(block, None) if alpha == 0 else mix.__setitem__(block, alpha)
        return EditSettings(mix, dict(self.prune))

    def with_prune(self, block: str, lo: float, hi: float) -> "EditSettings":
        prune = dict(self.prune)
        rng = _range(lo, hi, f"{block}={lo}:{hi}")
        prune.pop(block, None) if rng == FULL else prune.__setitem__(block, rng)
        return EditSettings(dict(self.mix), prune)

    def cleared(self, mode: str) -> "EditSettings":
        """Without the settings of ``mode``."""
        self.of(mode)
        return EditSettings({} if mode == "mix" else dict(self.mix),
                            {} if mode == "prune" else dict(self.prune))

    def unknown(self, names: Sequence[str]) -> list[str]:
        """Edited blocks that are not in ``names`` (e.g. after Model 1 changed)."""
        known = set(names)
        return sorted({b for b in (*self.mix, *self.prune) if b not in known})

    def only(self, names: Sequence[str]) -> "EditSettings":
        """The settings of the blocks in ``names``."""
        known = set(names)
        return EditSettings({b: a for b, a in self.mix.items() if b in known},
                            {b: r for b, r in self.prune.items() if b in known})


def parse_edits(text: str, names: Sequence[str] | None = None,
                tolerate: Collection[str] = ()) -> EditSettings:
    """``"block3=0.5,block3=0.1:0.9"`` -> :class:`EditSettings`.

    With ``names`` (the blocks of Model 1) a block not in ``names`` (nor in
    ``tolerate``: e.g. blocks of an earlier Model 1 the string already had) is an error.
    """
    mix: dict[str, float] = {}
    prune: dict[str, tuple[float, float]] = {}
    for raw in str(text).split(","):
        item = raw.strip()
        if not item:
            continue
        if item.count("=") != 1:
            raise EditError(f"edit_weights item {item!r}: expected BLOCK=ALPHA or BLOCK=LOW:HIGH")
        block, value = (s.strip() for s in item.split("="))
        if not block:
            raise EditError(f"edit_weights item {item!r}: no block name")
        if names is not None and block not in names and block not in tolerate:
            close = difflib.get_close_matches(block, list(names), n=2)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise EditError(f"edit_weights item {item!r}: unknown block {block!r}{hint}; "
                            f"blocks: {', '.join(names)}")
        if ":" in value:
            lo, _, hi = value.partition(":")
            target, kind = prune, "prune range"
            setting = _range(lo, hi, item)
        else:
            target, kind = mix, "mix factor"
            setting = _fraction(value, item)
        if block in target:
            raise EditError(f"edit_weights item {item!r}: a second {kind} for {block!r}")
        target[block] = setting
    return EditSettings(mix, prune)


def read_edits(text: str) -> EditSettings:
    """``text`` read leniently, for showing it: a malformed string reads as no edits."""
    try:
        return parse_edits(text)
    except EditError:
        return EditSettings()


def format_edits(settings: EditSettings, order: Sequence[str] = ()) -> str:
    """The canonical string: mix items, then prune items, blocks in ``order`` (then by
    name), defaults (alpha 0, range 0:1) left out. ``parse_edits`` reads it back."""
    rank = {name: i for i, name in enumerate(order)}

    def key(block):
        return (rank.get(block, len(rank)), block)

    items = [f"{b}={_num(a)}" for b, a in sorted(settings.mix.items(), key=lambda i: key(i[0]))
             if a != 0]
    items += [f"{b}={_num(lo)}:{_num(hi)}"
              for b, (lo, hi) in sorted(settings.prune.items(), key=lambda i: key(i[0]))
              if (lo, hi) != FULL]
    return ",".join(items)


def _num(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".") if v != round(v) else str(int(v))


def _fraction(value, item: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise EditError(f"edit_weights item {item!r}: {str(value).strip()!r} is not a number") from None
    if not math.isfinite(v) or not 0.0 <= v <= 1.0:
        raise EditError(f"edit_weights item {item!r}: {v:g} is outside [0, 1]")
    return round(v, 4)


def _range(lo, hi, item: str) -> tuple[float, float]:
    lo, hi = _fraction(lo, item), _fraction(hi, item)
    if lo > hi:
        raise EditError(f"edit_weights item {item!r}: the range's low end {lo:g} is above "
                        f"its high end {hi:g}")
    return lo, hi
