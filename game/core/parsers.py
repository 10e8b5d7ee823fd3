"""Values typed as text, parsed the same way by the command line and the panels.

``what`` names the value in error messages (``--target`` on the command line,
``attack_target`` in the app); every refusal is a ParamError saying why.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

from game.core.params import ParamError

Search = Callable[[str], Sequence[tuple[int, str]]]
SHOWN_MATCHES = 6


def parse_target(text, count: int | None = None, search: Search | None = None,
                 what: str = "attack_target") -> int | None:
    """A class to attack: None (untargeted) for nothing, else a class index.

    ``"291"`` is an index (0..``count`` - 1 when ``count`` is known). Other text is a class
    name when ``search`` is given (``search(text)`` -> [(index, name)]): the one exact
    match (case-insensitive), or the only class whose name contains it.
    """
    text = "" if text is None else str(text).strip()
    if not text:
        return None
    if re.fullmatch(r"[+-]?[0-9]+", text):
        index = int(text)
        if index < 0 or (count is not None and index >= count):
            classes = f"0..{count - 1}" if count is not None else "0 or more"
            raise ParamError(f"{what} {index} is not a class index ({classes})")
        return index
    if search is None:
        raise ParamError(f"{what} {text!r}: expected a class index, or nothing for an "
                         "untargeted attack")
    found = list(search(text))
    exact = [i for i, name in found if name.lower() == text.lower()]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0][0]
    if not found:
        raise ParamError(f"{what} {text!r}: no class has that name")
    names = ", ".join(f"{name} ({i})" for i, name in found[:SHOWN_MATCHES])
    more = ", ..." if len(found) > SHOWN_MATCHES else ""
    raise ParamError(f"{what} {text!r} matches {len(found)} classes: {names}{more}; "
                     "give an index")


def parse_channels(text, count: int | None = None, what: str = "channels") -> tuple[int, ...]:
    """``"54, 68 12"`` -> (54, 68, 12): commas or spaces between whole numbers, each listed
    once, each in 0..``count`` - 1 when the layer's channel count is known."""
    parts = str(text or "").replace(",", " ").split()
    channels = []
    for part in parts:
        try:
            channels.append(int(part))
        except ValueError:
            raise ParamError(f"{what} {text!r}: {part!r} is not a whole number (list whole "
                             "numbers, e.g. 3,17,42)") from None
    for c in channels:
        if c < 0 or (count is not None and c >= count):
            top = f"0..{count - 1}" if count else "0 or more"
            raise ParamError(f"channel {c} is not a channel of this layer ({top})")
    if len(set(channels)) != len(channels):
        raise ParamError(f"{what} {text!r}: a channel is listed twice")
    return tuple(channels)
