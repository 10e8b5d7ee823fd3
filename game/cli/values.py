"""Typed command-line values: ``type=`` callables for argparse that refuse what makes no
sense (NaN, infinities, out-of-range numbers, names that are paths, missing inputs) before
any work starts. argparse turns their ``ArgumentTypeError`` into one usage line and exit 2.
"""
from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$")


def _bounds(lo, hi) -> str:
    if hi is None:
        return f">= {lo:g}"
    return f"in [{lo:g}, {hi:g}]"


def number(lo: float = -math.inf, hi: float | None = None, above: float | None = None):
    """A finite float in [lo, hi] (``above``: strictly greater than it)."""
    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if above is not None and not v > above:
            raise argparse.ArgumentTypeError(f"{text} must be > {above:g}")
        if v < lo or (hi is not None and v > hi):
            raise argparse.ArgumentTypeError(f"{text} is out of range: must be {_bounds(lo, hi)}")
        return v
    parse.__name__ = "number"
    return parse


def count(lo: int = 0, hi: int | None = None):
    """A whole number in [lo, hi]."""
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if v < lo or (hi is not None and v > hi):
            raise argparse.ArgumentTypeError(f"{text} is out of range: must be {_bounds(lo, hi)}")
        return v
    parse.__name__ = "count"
    return parse


def name(text: str) -> str:
    """A file stem: letters, digits and ``_ . + -``, never a path."""
    if not _NAME.match(text) or text in (".", ".."):
        raise argparse.ArgumentTypeError(
            f"{text!r}: a name is letters, digits, '_', '.', '+', '-' (no folders), "
            "at most 128 characters")
    return text


def existing_file(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text}: no such file" if not path.exists()
                                         else f"{text}: not a regular file")
    return path


def existing_dir(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: no such folder")
    return path


def numbers(lo: float = -math.inf, hi: float | None = None, above: float | None = None):
    """A comma list of finite floats, each in range; at least one."""
    one = number(lo, hi, above)

    def parse(text: str) -> list[float]:
        out = [one(s.strip()) for s in text.split(",") if s.strip()]
        if not out:
            raise argparse.ArgumentTypeError(f"{text!r}: give at least one number")
        return out
    parse.__name__ = "numbers"
    return parse


def counts(lo: int = 0, hi: int | None = None):
    """A comma list of whole numbers, each in [lo, hi]: sorted, without repeats; at least one."""
    one = count(lo, hi)

    def parse(text: str) -> list[int]:
        out = sorted({one(s.strip()) for s in text.split(",") if s.strip()})
        if not out:
            raise argparse.ArgumentTypeError(f"{text!r}: give at least one whole number")
        return out
    parse.__name__ = "counts"
    return parse


def iterations(text: str) -> tuple[int, ...]:
    """``"100,300"`` -> (100, 300): positive whole numbers, sorted, without repeats."""
    out = set()
    for part in (s.strip() for s in text.split(",")):
        if not part:
            continue
        if not part.isdigit() or int(part) < 1:
            raise argparse.ArgumentTypeError(f"{part!r} is not an iteration number >= 1")
        out.add(int(part))
    return tuple(sorted(out))
