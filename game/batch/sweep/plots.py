"""Pictures of a sweep, as numpy images (the app shows them) and as labelled PNGs.

Grid layout: point ``index`` sits at row ``index // n2``, column ``index % n2`` (the
first axis runs down the rows, the second along the columns; one axis = one row), as
``grid.grid_points`` orders the points. A point without a result (a run still going, or
cancelled) is a grey cell. No gaps or borders: a cell of ``cell`` (heat map) or
``thumb`` (tuning curves) pixels per point, so an image is exactly
(n1 * size, n2 * size, 3).

- ``heatmap_image``: each cell in the colour of the model's top-1 class, blended over
  near-black with alpha ``0.3 + 0.7 * probability``. Colours come from a ``Palette``:
  the classes shown get distinct colours, each keeping its colour once given (a run
  streaming in stays stable); without one, a fixed colour per class index.
  ``heatmap_labels`` names each cell's class, for labels in the cells where they fit.
- ``tuning_image``: a 2-D tuning curve. Each point's thumbnail of the network input,
  weighted by ``w = response / max |response|`` over the grid (the channel's mean
  activation): ``round(thumb * w)`` for w >= 0, ``round((255 - thumb) * |w|)`` (the
  inverted thumbnail) for w < 0. All responses 0: all black.
"""
from __future__ import annotations

import colorsys
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from game.batch.sweep.job import PointResult, model_label

MISSING = (128, 128, 128)  # a point with no result (yet)
DARK = np.array((16, 16, 16), np.float64)  # what a probability-0 cell would show


# Colours of maximum contrast (Kelly's, without the greys and the darkest: cells are
# blended over near-black), handed out in the order classes are first shown.
DISTINCT = ((243, 195, 0), (0, 103, 165), (190, 0, 50), (0, 136, 86), (161, 202, 241),
            (243, 132, 0), (135, 86, 146), (194, 178, 128), (230, 143, 172), (141, 182, 0),
            (249, 147, 121), (179, 68, 108), (226, 88, 34), (136, 45, 23))


class Palette:
    """Class index -> colour. A class keeps the colour it got first; the first
    ``len(DISTINCT)`` classes get the distinct colours, later ones ``class_colour``."""

    def __init__(self, first: Iterable[int] = ()):
        self.colours: dict[int, tuple[int, int, int]] = {}
        for index in first:  # e.g. the most frequent classes: the clearest colours
            self(index)

    def __call__(self, index: int) -> tuple[int, int, int]:
        index = int(index)
        if index not in self.colours:
            n = len(self.colours)
            self.colours[index] = DISTINCT[n] if n < len(DISTINCT) else class_colour(index)
        return self.colours[index]


def class_colour(index: int) -> tuple[int, int, int]:
    """A fixed, well spread colour for class ``index`` (golden-ratio hues)."""
    hue = (index * 0.6180339887498949) % 1.0
    sat = (0.55, 0.75, 0.95)[index % 3]
    val = (0.95, 0.8)[(index // 3) % 2]
    return tuple(int(round(c * 255)) for c in colorsys.hsv_to_rgb(hue, sat, val))


def cell_alpha(prob: float) -> float:
    """How much of the class colour a cell shows: 0.3 at probability 0, 1 at 1 (the hue
    stays readable for unsure points)."""
    return 0.3 + 0.7 * min(1.0, max(0.0, prob))


def grid_shape(axes) -> tuple[int, int]:
    """(rows, columns) of the axes' grid: (n1, n2), or (1, n) for one axis."""
    if not 1 <= len(axes) <= 2:
        raise ValueError(f"a grid has 1 or 2 axes, not {len(axes)}")
    return (1, axes[0].n) if len(axes) == 1 else (axes[0].n, axes[1].n)


def _cells(results: list[PointResult], axes):
    """(row, column, result) for each result that lies on the grid."""
    rows, cols = grid_shape(axes)
    for r in results:
        if 0 <= r.index < rows * cols:
            yield r.index // cols, r.index % cols, r


def _key(result: PointResult, model: str, table: dict) -> str | None:
    """The key under which ``result`` keeps ``model`` (its spec or its short name)."""
    if model in table:
        return model
    return next((k for k in table if model_label(k) == model), None)


def _top1(result: PointResult, model: str) -> dict | None:
    key = _key(result, model, result.top)
    top = result.top.get(key) if key else None
    return top[0] if top else None


Colours = Callable[[int], tuple[int, int, int]]  # class index -> RGB (a Palette)


def heatmap_image(results: list[PointResult], axes, model: str, cell: int = 24,
                  colours: Colours = class_colour) -> np.ndarray:
    """(n1 * cell, n2 * cell, 3) uint8: per point the colour of ``model``'s top-1 class,
    blended over near-black by ``cell_alpha(probability)``; grey where a point has no
    result."""
    rows, cols = grid_shape(axes)
    img = np.empty((rows, cols, 3), np.uint8)
    img[:] = MISSING
    for i, j, r in _cells(results, axes):
        top = _top1(r, model)
        if top is None:
            continue
        a = cell_alpha(float(top["prob"]))
        colour = np.array(colours(int(top["index"])), np.float64)
        img[i, j] = np.rint(DARK * (1.0 - a) + colour * a).astype(np.uint8)
    return np.repeat(np.repeat(img, cell, axis=0), cell, axis=1)


def _classes(results: list[PointResult], model: str) -> list[tuple[int, str, int]]:
    """(index, label, count) of every top-1 class in ``results``: most frequent first
    (ties: lower class index first)."""
    counts: dict[int, list] = {}
    for r in results:
        top = _top1(r, model)
        if top is not None:
            entry = counts.setdefault(int(top["index"]), [str(top["label"]), 0])
            entry[1] += 1
    order = sorted(counts.items(), key=lambda kv: (-kv[1][1], kv[0]))
    return [(idx, label, n) for idx, (label, n) in order]


def heatmap_legend(results: list[PointResult], model: str,
                   colours: Colours = class_colour) -> list[tuple[str, tuple[int, int, int], int]]:
    """(label, colour, count) of every top-1 class in ``results``: most frequent first
    (ties: lower class index first)."""
    return [(label, colours(idx), n) for idx, label, n in _classes(results, model)]


def legend_palette(results: list[PointResult], model: str,
                   palette: Palette | None = None) -> Palette:
    """``palette`` (a new one by default) with ``model``'s classes added, most frequent
    first: the clearest colours for the classes that cover the most cells."""
    palette = palette if palette is not None else Palette()
    for idx, _label, _n in _classes(results, model):
        palette(idx)
    return palette


def heatmap_labels(results: list[PointResult], axes, model: str) -> list[list[str]]:
    """(n1 rows of n2) the label of ``model``'s top-1 class per point; "" without one."""
    rows, cols = grid_shape(axes)
    labels = [[""] * cols for _ in range(rows)]
    for i, j, r in _cells(results, axes):
        top = _top1(r, model)
        if top is not None:
            labels[i][j] = str(top["label"])
    return labels


def responses(results: list[PointResult], model: str, channel: int) -> dict[int, float]:
    """index -> the mean activation of ``model``'s ``channel``-th requested channel."""
    out = {}
    for r in results:
        key = _key(r, model, r.channels)
        if key is not None and channel < len(r.channels[key]):
            out[r.index] = float(r.channels[key][channel])
    return out


def _resize(thumb: np.ndarray, size: int) -> np.ndarray:
    if thumb.shape[0] == size and thumb.shape[1] == size:
        return thumb
    from PIL import Image

    return np.asarray(Image.fromarray(thumb).resize((size, size), Image.BILINEAR))


def tuning_image(results: list[PointResult], axes, model: str, channel: int,
                 thumb: int | None = None) -> np.ndarray:
    """(n1 * thumb, n2 * thumb, 3) uint8: the tuning image of one channel.

    ``channel`` is the position in the job's requested channels (``job.channels[channel]``
    is the channel number). ``thumb``: side of a cell (default: the results' thumbnail
    size, 48 when none has one). Points without a result or thumbnail are grey."""
    if thumb is None:
        thumb = next((r.thumb.shape[0] for r in results if r.thumb is not None), 48)
    rows, cols = grid_shape(axes)
    img = np.empty((rows * thumb, cols * thumb, 3), np.uint8)
    img[:] = MISSING
    resp = responses(results, model, channel)
    scale = max((abs(v) for v in resp.values()), default=0.0)
    for i, j, r in _cells(results, axes):
        if r.thumb is None or r.index not in resp:
            continue
        w = resp[r.index] / scale if scale > 0 else 0.0
        t = _resize(r.thumb, thumb).astype(np.float64)
        if w < 0:
            t = 255.0 - t
        img[i * thumb:(i + 1) * thumb, j * thumb:(j + 1) * thumb] = (
            np.clip(np.rint(t * abs(w)), 0, 255).astype(np.uint8))
    return img


def save_figures(out_dir, results: list[PointResult], axes, job) -> list[Path]:
    """A heat map PNG per model (``heatmap-M.png``) and a tuning-curve PNG per model and
    requested channel (``tuning-M-LAYER-chC.png``; only when ``job.thumb`` kept
    thumbnails), with titles, axis labels and a legend; a class has one colour in every
    model's heat map. Returns the paths written."""
    from game.batch.sweep.figures import heatmap_figure, tuning_figure

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    palette = Palette()  # one class, one colour in every model's heat map
    for spec in job.models:
        name = _safe(model_label(spec))
        path = out_dir / f"heatmap-{name}.png"
        heatmap_figure(results, axes, spec, legend_palette(results, spec, palette)).save(path)
        paths.append(path)
        if not job.thumb:
            continue
        layer = next((r.layers.get(spec) for r in results if r.layers.get(spec)), job.layer)
        for pos, ch in enumerate(job.channels):
            path = out_dir / f"tuning-{name}-{_safe(str(layer))}-ch{ch}.png"
            tuning_figure(results, axes, spec, pos, f"{model_label(spec)} {layer} channel {ch}").save(path)
            paths.append(path)
    return paths


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.@" else "_" for c in text)
