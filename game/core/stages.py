"""The order of the app's per-frame tasks: one table, by name.

Panda3D runs every task of a frame in ``sort`` order. Its own: ``dataLoop`` (-50) reads
the mouse and keyboard, ``eventManager`` (0) delivers their events (DirectGUI commands
included), ``igLoop`` (``IG_LOOP`` = 50) renders every active buffer and the window,
``audioLoop`` (60). Ours go around ``igLoop``:

1. ``KIOSK`` first: it wraps the tasks of tools attached since the last frame in its
   guard, runs the idle timer and plays the attract tour before anyone reads the state.
2. Input (gamepad, mouse drag, a live replay) turns into parameter changes.
3. ``MODELS`` moves a model slot onto its ONNX graph once a background export has
   written it (``game.app.slots``). ``EDIT`` rebuilds the Edited Model from the settled parameters, before ``ARM``
   arms the offscreen buffers for a changed scene (sync mode renders and infers right
   there, so the window shows the frame with its results in the same frame).
   ``WINDOW`` then switches the window off for this frame if nothing in it can have
   changed (``game.app.redraw``), and puts the text of widgets made since the last
   frame into the GUI's text pass (``ui.text_pass``).
4. ``igLoop`` renders; ``GUI_CACHE`` then measures the GUI parts of a new picture
   (``game.app.gui_cache``) as they were just drawn.
5. ``CAPTURE`` reads the frame back and hands it to inference; ``INFER`` re-infers after
   model or view changes and collects worker results.
6. Tools that show results run on up-to-date views: the attack (its composite and
   overlay), feature visualisation (progress into the views), the sensitivity bars,
   the sweep panel, the layer grid (progress into its zoomed pictures); then the
   memory trim.
7. ``KIOSK_LATE`` last: a frame that got here without an error is the last good state.
"""
from __future__ import annotations

from enum import IntEnum

IG_LOOP = 50  # Panda3D's render task


class Stage(IntEnum):
    KIOSK = 1
    GAMEPAD = 5
    MOUSE = 10
    REPLAY = 11
    MODELS = 43
    EDIT = 44
    ARM = 45
    WINDOW = 49
    # IG_LOOP = 50: Panda3D renders
    GUI_CACHE = 51
    CAPTURE = 55
    INFER = 56
    ATTACK = 57
    FEATVIS = 58
    SENSITIVITY = 59
    # 60: Panda3D's audioLoop
    SWEEP = 61
    LAYER_GRID = 62
    TRIM = 63
    KIOSK_LATE = 1000
