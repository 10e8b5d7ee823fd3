"""Colours, text scales and sizes shared by every panel.

Sizes are in aspect2d units (the window is 2 units high), written as pixels of a
800-pixel-high window through :func:`px`, so a layout tuned at 1280x800 keeps its
proportions at other window sizes.
"""
from __future__ import annotations

REF_HEIGHT = 800  # window height (pixels) the pixel sizes below are tuned for


def px(n: float) -> float:
    """``n`` pixels of a REF_HEIGHT-high window, in aspect2d units."""
    return n * 2.0 / REF_HEIGHT


# -- colours (RGBA) -----------------------------------------------------------
MODEL1 = (0.13, 0.30, 0.64, 1.0)   # Model 1: the darker blue of the thesis
MODEL2 = (0.49, 0.73, 0.96, 1.0)   # Model 2: the lighter blue
EDITED = (0.96, 0.80, 0.22, 1.0)   # Edited Model: yellow
WINDOW_BG = (0.09, 0.09, 0.10, 1.0)
PANEL_BG = (0.17, 0.17, 0.18, 1.0)
HEADER_BG = (0.24, 0.24, 0.26, 1.0)
HEADER_HOVER = (0.30, 0.30, 0.33, 1.0)
FIELD_BG = (0.11, 0.11, 0.12, 1.0)
VIEW_BG = (0.0, 0.0, 0.0, 1.0)
TROUGH = (0.33, 0.33, 0.36, 1.0)
THUMB = (0.80, 0.80, 0.84, 1.0)
BUTTON_BG = (0.30, 0.30, 0.33, 1.0)
TEXT = (0.92, 0.92, 0.92, 1.0)
TEXT_DIM = (0.62, 0.62, 0.65, 1.0)
CHANGED = MODEL2                    # a value that differs from its default
ERROR = (1.0, 0.42, 0.36, 1.0)
OK = (0.45, 0.88, 0.50, 1.0)

# -- text scales ----------------------------------------------------------------
TITLE_SCALE = px(19)
HEADER_SCALE = px(14)
TEXT_SCALE = px(13)
SMALL_SCALE = px(12)

# -- sizes ----------------------------------------------------------------------
MARGIN = px(8)          # around and between columns
PAD = px(8)             # inside a column
TITLE_H = px(30)        # a column's title bar
LEFT_W = px(640)        # the scene column (fixed: its content is fixed)
RIGHT_SHARE = 0.45      # of the width left for the models and predictions columns
VIEW_SIZE = px(336)     # the square scene view (224 px shown 1.5x)
ROW_H = px(24)          # one slider row or group header
GROUP_GAP = px(4)       # between two slider groups
LABEL_W = px(136)       # slider label width
VALUE_W = px(44)        # value read-out width
TROUGH_H = px(6)
THUMB_W, THUMB_H = px(10), px(16)

# -- model slots and the views that show them -----------------------------------------
SLOT_COLOURS = {"model1": MODEL1, "model2": MODEL2, "edited": EDITED}
ACT_POS = (1.0, 0.22, 0.12)         # a positive activation at full scale (red)
ACT_NEG = (0.22, 0.52, 1.0)         # a negative one (blue); zero is black
INK_DARK = (0.06, 0.06, 0.08, 1.0)  # text on light fills (Model 2, Edited)


def ink_on(fill) -> tuple:
    """Text colour that reads on ``fill``: dark on light fills, light on dark ones."""
    r, g, b = fill[:3]
    return INK_DARK if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else TEXT
