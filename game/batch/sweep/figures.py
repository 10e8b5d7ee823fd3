"""Labelled figures (PIL images) around ``plots``' grids: title, axis names, tick values
(first, middle, last of each axis), and for heat maps a legend of the top-1 classes and
each cell's class written in it where it fits."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from game.batch.sweep.plots import (grid_shape, heatmap_image, heatmap_labels, heatmap_legend,
                                    legend_palette, tuning_image)
from game.batch.sweep.job import model_label

BG = (255, 255, 255)
INK = (20, 20, 20)
LEFT, TOP, BOTTOM, RIGHT = 66, 26, 40, 10
LEGEND_ROWS = 14


def _font():
    return ImageFont.load_default()


def _ticks(axis) -> list[tuple[int, str]]:
    """(position along the axis, text): first, middle and last value."""
    vals = axis.values
    picks = sorted({0, (len(vals) - 1) // 2, len(vals) - 1})
    return [(k, f"{vals[k]:.4g}") for k in picks]


def _vertical_text(text: str, font) -> Image.Image:
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    box = probe.textbbox((0, 0), text, font=font)
    img = Image.new("RGB", (box[2] + 2, box[3] + 2), BG)
    ImageDraw.Draw(img).text((1, 0), text, fill=INK, font=font)
    return img.rotate(90, expand=True)


def _frame(grid: np.ndarray, axes, title: str, cell: int, extra_right: int = 0,
           min_height: int = 0) -> Image.Image:
    """``grid`` on a white canvas with title, axis names and ticks."""
    h, w = grid.shape[:2]
    height = max(TOP + h + BOTTOM, min_height)
    img = Image.new("RGB", (LEFT + w + RIGHT + extra_right, height), BG)
    img.paste(Image.fromarray(grid), (LEFT, TOP))
    d, font = ImageDraw.Draw(img), _font()
    d.text((4, 6), title, fill=INK, font=font)
    rows, cols = grid_shape(axes)
    col_axis = axes[-1]
    for k, text in _ticks(col_axis):
        x = LEFT + k * cell + cell // 2
        d.line([(x, TOP + h), (x, TOP + h + 4)], fill=INK)
        tw = d.textlength(text, font=font)
        d.text((x - tw / 2, TOP + h + 6), text, fill=INK, font=font)
    name = col_axis.name
    d.text((LEFT + w / 2 - d.textlength(name, font=font) / 2, TOP + h + 22), name,
           fill=INK, font=font)
    if len(axes) == 2:
        for k, text in _ticks(axes[0]):
            y = TOP + k * cell + cell // 2
            d.line([(LEFT - 4, y), (LEFT, y)], fill=INK)
            d.text((LEFT - 6 - d.textlength(text, font=font), y - 6), text, fill=INK, font=font)
        label = _vertical_text(axes[0].name, font)
        img.paste(label, (4, max(TOP, int(TOP + h / 2 - label.height / 2))))
    return img


def _cell_labels(d: ImageDraw.ImageDraw, grid: np.ndarray, labels, cell: int, font) -> None:
    """Each cell's class name, shortened to fit it, in ink that reads on its colour;
    nothing where not even three letters fit."""
    for i, row in enumerate(labels):
        for j, label in enumerate(row):
            text = label
            while text and d.textlength(text, font=font) > cell - 2:
                text = text[:-1]
            if len(text) < min(3, len(label)) or not text:
                continue
            r, g, b = grid[i * cell + cell // 2, j * cell + cell // 2]
            ink = INK if 0.2126 * r + 0.7152 * g + 0.0722 * b > 115 else BG
            x = LEFT + j * cell + (cell - d.textlength(text, font=font)) / 2
            d.text((x, TOP + i * cell + cell / 2 - 6), text, fill=ink, font=font)


def heatmap_figure(results, axes, model: str, colours=None) -> Image.Image:
    """``colours``: a ``plots.Palette`` (default: one for this model, most frequent class
    first)."""
    rows, cols = grid_shape(axes)
    cell = max(6, min(32, 480 // max(rows, cols)))
    colours = colours if colours is not None else legend_palette(results, model)
    legend = heatmap_legend(results, model, colours)[:LEGEND_ROWS]
    font = _font()
    width = 16 + max((int(ImageDraw.Draw(Image.new("RGB", (1, 1))).textlength(
        f"{label} ({n})", font=font)) for label, _, n in legend), default=0) + 18
    grid = heatmap_image(results, axes, model, cell, colours)
    img = _frame(grid, axes, f"{model_label(model)}: top-1 class (brightness = probability)",
                 cell, width, TOP + 16 * len(legend) + 4)
    d = ImageDraw.Draw(img)
    _cell_labels(d, grid, heatmap_labels(results, axes, model), cell, font)
    x0 = LEFT + cols * cell + RIGHT + 4
    for k, (label, colour, n) in enumerate(legend):
        y = TOP + k * 16
        d.rectangle([x0, y + 2, x0 + 10, y + 12], fill=colour)
        d.text((x0 + 16, y), f"{label} ({n})", fill=INK, font=font)
    return img


def tuning_figure(results, axes, model: str, channel: int, title: str) -> Image.Image:
    grid = tuning_image(results, axes, model, channel)
    rows, _ = grid_shape(axes)
    cell = grid.shape[0] // rows
    return _frame(grid, axes, f"{title} (inverted = negative)", cell)
