"""Draw the window only in frames where something in it can have changed.

The GUI costs ~10 ms of a frame on a software rasteriser whether or not anything in it
changed; a window frame without it costs ~0.1 ms. So just before Panda3D renders
(``Stage.WINDOW``) the window is switched off for this frame unless

- a parameter changed, or a part of the app asked (``request()``): a new inference
  result, a finished feature visualisation, a message, a named action (a button, a
  key, a gamepad), any key or mouse button pressed, any gamepad activity, a window
  event;
- the mouse moved or a mouse button went down or up (DirectGUI's rollover and press
  looks), or the text entry with the keyboard focus got or lost it, changed its text or
  cursor position, or blinked its cursor (twice a second when idle);
- ``KEEPALIVE_S`` passed since the window was last drawn: whatever changed without any
  of the above (a tool's progress label) shows within that time.

A switched-off window keeps its last picture, and the offscreen buffers render as
usual. A frame that draws nothing is stretched to ``IDLE_FPS``, so an idle app does not
spin a core. ``suspend(True)`` keeps the window off in every frame, unstretched (bench:
what the app's frame costs without drawing its window).

With a ``GuiCache`` attached (``attach_cache``), a drawn frame also tells it which of
its units may look different: those under the pointer where it moved or pressed (and
where it was), the one holding the focused entry, those showing a parameter that
changed. Anything else (a request that does not say ``units=False``, a key or button,
a parameter no unit shows, the keep-alive) gives every cached unit a new picture.
"""
from __future__ import annotations

import logging
import time

from direct.showbase.DirectObject import DirectObject
from panda3d.core import MouseButton, NodePath, PGEntry, PGItem

from game.app.input.buttons import on_any_button
from game.core.params import ParamState
from game.core.stages import Stage

log = logging.getLogger(__name__)

TASK = "perturber-window"
KEEPALIVE_S = 0.5
IDLE_FPS = 60.0
BUTTONS = (MouseButton.one(), MouseButton.two(), MouseButton.three())
# Events that change what the window shows without a parameter: the window's own, and
# the gamepad's activity (``game.app.input.gamepad.INPUT_EVENT``), which changes the
# cached units only through parameters and actions, each seen on its own.
WINDOW_EVENT = "window-event"
PAD_EVENT = "perturber-input"


class WindowRedraw:
    def __init__(self, base, params: ParamState, clock=time.monotonic, sleep=time.sleep):
        self.base = base
        self.params = params
        self.clock, self.sleep = clock, sleep
        self.drawn = 0            # frames drawn, and skipped (bench, tests)
        self.skipped = 0
        self.suspended = False
        self._requested = True
        self._version = None
        self._mouse = None
        self._entry = None        # (path, text, cursor position) of the focused entry
        self._blink_start, self._blink = 0.0, 0  # its cursor's blinks counted from then
        self._last_draw = self._last_frame = clock()
        self.cache = self.wide = None  # a GuiCache, once attached
        self._changed_params: set[str] = set()
        self._unwatch = params.watch_all(lambda name, _value: self._changed_params.add(name))
        self._events = DirectObject()
        self._events.accept(WINDOW_EVENT, lambda *_: self.request())
        self._events.accept(PAD_EVENT, lambda *_: self.request(units=False))
        on_any_button(base, self._events, self.request)  # a key can open or close a view
        base.taskMgr.add(self._task, TASK, sort=Stage.WINDOW)

    def attach_cache(self, cache, wide=None) -> None:
        """Tell ``cache`` what changed in each drawn frame. ``wide()`` True: a parameter
        change may change every unit (a new picture whenever one changes)."""
        self.cache, self.wide = cache, wide

    def suspend(self, suspended: bool) -> None:
        """True: the window is not drawn in any frame, and its frames are not stretched
        (the offscreen work goes on: the bench measures the app without its window).
        False: drawn whole again from the next frame."""
        self.suspended = suspended
        if not suspended:
            self.request()

    def request(self, units: bool = True) -> None:
        """Draw the window in the next frame that reaches ``Stage.WINDOW``. ``units``
        False: what changed is outside the cached units (an inference result's views)."""
        self._requested = True
        if units and self.cache is not None:
            self.cache.refresh()

    def _pointer(self) -> tuple:
        watcher = getattr(self.base, "mouseWatcherNode", None)
        if watcher is None or not watcher.hasMouse():
            return ()
        m = watcher.getMouse()
        return (m.x, m.y, *(watcher.isButtonDown(b) for b in BUTTONS))

    def _shown(self, path: NodePath) -> bool:
        return self.base.render2d.isAncestorOf(path) and not path.isHidden()

    def _typing(self, now: float) -> bool:
        """The text entry with the keyboard focus may look different since the last frame:
        it got or lost the focus, its text or cursor moved, or its cursor blinked.

        PGEntry shows the cursor in the first half of every ``1 / blink rate`` seconds
        after the focus or a key (rate 1: it toggles twice a second); the toggles are
        counted from the frame where the entry, its text or its cursor position changed.
        """
        item = PGItem.getFocusItem()
        path = NodePath.anyPath(item) if isinstance(item, PGEntry) else None
        if path is None or not self._shown(path):
            lost, self._entry = self._entry, None
            return lost is not None and self._shown(lost[0])  # its unfocused look
        entry = (path, item.getWtext(), item.getCursorPosition())
        if entry != self._entry:
            self._entry, self._blink_start, self._blink = entry, now, 0
            return True
        rate = item.getBlinkRate()
        blink = int((now - self._blink_start) * rate * 2) if rate > 0 else 0
        blinked, self._blink = blink != self._blink, blink
        return blinked

    def _changed(self, now: float) -> bool:
        pointer, version, typing = self._pointer(), self.params.version, self._typing(now)
        keepalive = now - self._last_draw >= KEEPALIVE_S
        changed = (self._requested or version != self._version or pointer != self._mouse
                   or typing or keepalive)
        if changed and self.cache is not None:
            try:
                self.cache.frame(self._touched(pointer, typing, keepalive))
            except Exception:  # the window is drawn whole from now on, nothing lost
                log.exception("the GUI cache failed; every widget is drawn from now on")
                self._drop_cache()
        self._requested, self._version, self._mouse = False, version, pointer
        return changed

    def _touched(self, pointer: tuple, typing: bool, keepalive: bool) -> list:
        """The cached units that may look different in this frame (a new picture is
        asked of the cache instead when that cannot be told)."""
        cache, touched = self.cache, []
        names, self._changed_params = self._changed_params, set()
        if keepalive:
            cache.refresh()
        if pointer != self._mouse:
            size = (self.base.win.getXSize(), self.base.win.getYSize())
            for where in (pointer, self._mouse):
                if where:
                    touched += [u for u in cache.units if u.covers(where[0], where[1], size)]
        if typing and self._entry is None:
            cache.refresh()  # an entry lost the focus, wherever it was
        elif typing:
            unit = cache.unit_of(self._entry[0])
            if unit is not None:
                touched.append(unit)
        shown = set()
        for unit in cache.units:
            if names & unit.params:
                touched.append(unit)
                shown |= unit.params
        if names - shown or (names and self.wide is not None and self.wide()):
            cache.refresh()
        return list(dict.fromkeys(touched))

    def _drop_cache(self) -> None:
        cache, self.cache = self.cache, None
        try:
            cache.destroy()
        except Exception:
            log.exception("the GUI cache could not be taken down")

    def _task(self, task):
        if self.suspended:
            if self.cache is not None:
                self.cache.idle()
            if self.base.win.isActive():
                self.base.win.setActive(False)
            self._last_frame = self.clock()
            return task.cont
        now = self.clock()
        draw = self._changed(now)
        if draw:
            self._last_draw = now
            self.drawn += 1
        else:
            if self.cache is not None:
                self.cache.idle()
            self.skipped += 1
            self.sleep(max(0.0, 1.0 / IDLE_FPS - (now - self._last_frame)))
        self._last_frame = self.clock()
        win = self.base.win
        if win.isActive() != draw:
            win.setActive(draw)
        return task.cont

    def destroy(self) -> None:
        self._unwatch()
        self.base.taskMgr.remove(TASK)
        self._events.ignoreAll()
        self.base.win.setActive(True)
