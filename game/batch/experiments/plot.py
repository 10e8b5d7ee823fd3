"""Small PNG charts drawn with PIL (matplotlib is not a dependency).

``bar_chart``: grouped bars (one group per object, one bar per model) with optional
error bars (mean and standard deviation). ``contact_sheet``: thumbnails of the network inputs.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

# One colour per series (models): the app's Model 1 dark blue, Model 2 light blue, then others.
COLOURS = ((31, 78, 150), (110, 170, 230), (230, 150, 40), (200, 70, 60), (90, 160, 90),
           (150, 100, 180), (120, 120, 120))


def _nice_max(v: float) -> float:
    if not math.isfinite(v) or v <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * step:
            return m * step
    return 10 * step


def bar_chart(path: Path, groups: list[str], series: list[str], values, errors=None,
              title: str = "", ylabel: str = "", percent: bool = False) -> Path:
    """``values[g][s]`` (and ``errors[g][s]``, one standard deviation) as grouped bars."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default()
    vals = np.nan_to_num(np.asarray(values, float), nan=0.0, posinf=0.0)
    errs = np.zeros_like(vals) if errors is None else np.nan_to_num(np.asarray(errors, float))
    top = 100.0 if percent else _nice_max(float((vals + errs).max(initial=0.0)))
    w_bar, gap = 18, 26
    left, right, head, foot = 58, 16, 34, 40 + 14 * len(series)
    plot_w = len(groups) * (len(series) * w_bar + gap)
    texts = [title] + [f"    {name}" for name in series]
    width = max(left + plot_w + right, 320, *(left + int(font.getlength(t)) + right for t in texts))
    height = 300
    plot_h = height - head - foot
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((left, 8), title, fill="black", font=font)
    y0 = head + plot_h

    def y(v: float) -> float:
        return y0 - plot_h * min(max(v, 0.0), top) / top

    for i in range(6):  # grid and y ticks
        v = top * i / 5
        d.line([(left, y(v)), (left + plot_w, y(v))], fill=(225, 225, 225))
        d.text((4, y(v) - 6), f"{v:.0f}%" if percent else f"{v:g}", fill="black", font=font)
    d.text((4, head - 24), ylabel, fill=(80, 80, 80), font=font)
    for g, name in enumerate(groups):
        x = left + gap / 2 + g * (len(series) * w_bar + gap)
        for s in range(len(series)):
            v, e = vals[g][s], errs[g][s]
            xa = x + s * w_bar
            d.rectangle([xa, y(v), xa + w_bar - 3, y0], fill=COLOURS[s % len(COLOURS)])
            if e > 0:
                xc = xa + (w_bar - 3) / 2
                d.line([(xc, y(v - e)), (xc, y(v + e))], fill="black")
                for yy in (y(v - e), y(v + e)):
                    d.line([(xc - 3, yy), (xc + 3, yy)], fill="black")
        d.text((x, y0 + 4), name, fill="black", font=font)
    d.line([(left, y0), (left + plot_w, y0)], fill="black")
    for s, name in enumerate(series):  # legend
        ly = y0 + 22 + 14 * s
        d.rectangle([left, ly, left + 10, ly + 9], fill=COLOURS[s % len(COLOURS)])
        d.text((left + 16, ly - 2), name, fill="black", font=font)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def contact_sheet(path: Path, thumbs: list[np.ndarray], columns: int) -> Path:
    """Thumbnails (equal-sized uint8 arrays) in rows of ``columns``, 2 px apart."""
    from PIL import Image

    size = thumbs[0].shape[0]
    rows = math.ceil(len(thumbs) / columns)
    sheet = Image.new("RGB", (columns * (size + 2), rows * (size + 2)), "white")
    for i, t in enumerate(thumbs):
        sheet.paste(Image.fromarray(t), ((i % columns) * (size + 2), (i // columns) * (size + 2)))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path
