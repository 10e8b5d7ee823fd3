"""Activation maps as colours, and which channels to show (pure numpy, tested exactly).

The thesis maps positive activations to red and negative ones to blue.
Here zero is black, so a map is bright only where the neuron responds; the divisor
maps the values of interest to [-1, 1]:

* ``act_normalization == 0``: 4 standard deviations of the whole layer, so a map is
  read relative to its layer (the default);
* ``act_normalization = v > 0``: the fixed ``10 ** (v - 2)``, so absolute values can
  be compared between models and frames.
"""
from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

import numpy as np

from ui import theme

STD_MULT = 4.0
_LEVELS = 255  # odd, so that exactly zero has its own entry (index 127, black)


def divisor(layer_std: float, act_normalization: float) -> float:
    if act_normalization > 0:
        return 10.0 ** (act_normalization - 2.0)
    if layer_std > 0 and math.isfinite(layer_std):
        return STD_MULT * layer_std
    return 1.0  # a constant layer: nothing to scale


def normalise(acts: np.ndarray, layer_std: float, act_normalization: float) -> np.ndarray:
    """``acts`` divided by the divisor the slider asks for, clipped to [-1, 1] (float32)."""
    out = np.asarray(acts, dtype=np.float32) / np.float32(divisor(layer_std, act_normalization))
    return np.clip(out, -1.0, 1.0, out=out)


def _lut() -> np.ndarray:
    t = np.linspace(-1.0, 1.0, _LEVELS)[:, None]
    rgb = np.clip(t, 0, 1) * np.array(theme.ACT_POS) + np.clip(-t, 0, 1) * np.array(theme.ACT_NEG)
    return np.round(rgb * 255).astype(np.uint8)


LUT = _lut()  # (255, 3): index 0 = -1 (full blue), 127 = 0 (black), 254 = +1 (full red)
# The same colours packed as one little-endian uint32 per pixel in Panda's RAM order
# (B, G, R, A): a single np.take then yields a texture's bytes (4x faster than LUT[idx]).
_BGRA = (LUT[:, 2].astype(np.uint32) | LUT[:, 1].astype(np.uint32) << 8
         | LUT[:, 0].astype(np.uint32) << 16 | np.uint32(255) << 24)


def colour_indices(norm: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] -> uint8 indices into LUT (rounded; out-of-range values clipped)."""
    half = (_LEVELS - 1) / 2
    x = np.clip(np.asarray(norm, dtype=np.float32), -1.0, 1.0)
    return (x * np.float32(half) + np.float32(half + 0.5)).astype(np.uint8)


def colourise(norm: np.ndarray) -> np.ndarray:
    """Normalised values in [-1, 1], any shape -> uint8 RGB of shape ``norm.shape + (3,)``."""
    return np.take(LUT, colour_indices(norm), axis=0)


def most_active(acts: np.ndarray, n: int) -> tuple[int, ...]:
    """The ``n`` channels with the largest mean activation, largest first (ties: lower index)."""
    means = np.asarray(acts).mean(axis=tuple(range(1, np.ndim(acts))))
    return tuple(int(c) for c in np.argsort(-means, kind="stable")[:n])


def choose_channels(groups: Mapping[str, Sequence[int]], group: str, acts: np.ndarray | None,
                    n: int, previous: Sequence[int] = ()) -> tuple[int, ...]:
    """The channels a row shows: the group's first ``n`` (best first), else the most active.

    Without activations (switched off) and without the group, the row keeps showing
    ``previous`` so its feature visualisations stay put; failing that, channels 0..n-1.
    """
    count = len(acts) if acts is not None else None
    chans = [int(c) for c in groups.get(group, ()) if count is None or 0 <= int(c) < count]
    if chans:
        return tuple(chans[:n])
    if acts is not None:
        return most_active(acts, n)
    return tuple(previous[:n]) if previous else tuple(range(n))


def row_channels(outputs: Sequence, group: str, n: int, typed: Sequence[int] = (),
                 same: bool = False, arch_of: Callable[[str], str] = lambda model: model,
                 previous: Mapping[str, Sequence[int]] = {}) -> list[tuple[int, ...]]:
    """The channels the row of each output (``SlotOutput``s, in row order) shows.

    ``typed`` (the channel entry) wins where the output's layer has them; else the
    group's channels (:func:`choose_channels`, ``previous`` keyed by slot). With
    ``same``, a row whose model has the architecture (``arch_of(model)``) of an earlier
    row shows that row's channels, so one unit is compared across the models of one
    architecture; a model of another architecture keeps its own.
    """
    shared: dict[str, tuple[int, ...]] = {}
    rows = []
    for o in outputs:
        count = len(o.activations) if o.activations is not None else None
        fits = [c for c in typed if count is None or c < count]
        arch = arch_of(o.model) if same else ""  # "": unknown, shares nothing
        if arch in shared:
            chans = tuple(c for c in shared[arch] if count is None or c < count)
        elif fits:
            chans = tuple(fits)
        else:
            chans = choose_channels(o.groups, group, o.activations, n, previous.get(o.slot, ()))
        if arch and arch not in shared:
            shared[arch] = chans
        rows.append(chans)
    return rows


def maps_rgb(acts: np.ndarray, channels: Sequence[int], layer_std: float,
             act_normalization: float) -> np.ndarray:
    """(len(channels), H, W, 3) uint8 RGB maps of the chosen channels, top row first."""
    sel = np.asarray(acts)[list(channels)]
    return colourise(normalise(sel, layer_std, act_normalization))


def maps_ram(acts: np.ndarray, channels: Sequence[int], layer_std: float,
             act_normalization: float) -> np.ndarray:
    """The same maps as :func:`maps_rgb`, as (n, H, W, 4) uint8 in a Panda RGBA texture's
    RAM layout (bottom row first, B G R A): what the view uploads every frame."""
    sel = np.asarray(acts)[list(channels)]
    idx = colour_indices(normalise(sel, layer_std, act_normalization))[:, ::-1]
    return np.take(_BGRA, idx).view(np.uint8).reshape(idx.shape + (4,))
