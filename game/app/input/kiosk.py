"""Kiosk mode (``perturber --kiosk``): unattended exhibition use.

* After ``idle_s`` seconds without input an attract loop plays ``game/app/input/tour.json``
  with its captions over the scene view (``{model2}`` in one: what Model 2 holds); any
  input (pad, mouse, key) stops it and restores the scene as the visitor left it.
* After ``reset_s`` seconds without input the scene goes back to the start-up state
  (the defaults plus the command line's ``--set``), and the tour plays on from there.
* Lockdown: file dialogs close at once, the custom GLSL editor is disabled, closing
  the window is refused; the only way out is Ctrl+Shift+Q (``QUIT_KEYS``).
* Every task runs guarded: an exception is logged with its context (task, frame,
  the parameters changed since the last good frame, the traceback), shown for a few
  seconds in a banner, and the parameters go back to the last frame that finished
  cleanly; the app never stops on its own.

``attach(app, **kw) -> KioskTool``: the app attaches it on request
(``PerturberApp.attach_kiosk``: ``perturber --kiosk`` and the soak command).
"""
from __future__ import annotations

import logging
from typing import Callable

from direct.gui import DirectGuiGlobals as DGG
from direct.task import Task
from panda3d.core import ClockObject, WindowProperties

from game.app.input.buttons import on_any_button
from game.app.input.gamepad import INPUT_EVENT
from game.app.input.tour import Tour, TourPlayer, fill_caption, load_tour
from game.core.stages import Stage

log = logging.getLogger(__name__)

TASK, LATE_TASK = "perturber-kiosk", "perturber-kiosk-good"
QUIT_KEYS = ("shift-control-q", "control-shift-q")  # Ctrl+Shift+Q, either modifier order
CLOSE_EVENT = "perturber-kiosk-close"
OPEN_FILE = "Open file..."


class KioskTool:
    def __init__(self, app, idle_s: float = 60.0, reset_s: float = 300.0,
                 clock: Callable[[], float] | None = None, tour: Tour | None = None,
                 fullscreen: bool = True, on_quit: Callable[[], None] | None = None):
        from ui import theme
        from ui.caption import Caption
        from ui.help_overlay import Banner

        self.app, self.base, self.params = app, app.base, app.params
        self.idle_s, self.reset_s = idle_s, reset_s
        self.clock = clock or ClockObject.getGlobalClock().getRealTime
        self.tour = tour or load_tour()
        self.on_quit = on_quit or self.base.userExit
        self.banner = Banner(self.base.aspect2d, self.clock)
        self.caption = Caption(app.layout.view, theme.VIEW_SIZE)
        from direct.showbase.DirectObject import DirectObject

        self.events = DirectObject()  # our own listener: never replaces another's handler
        self.state = "active"          # or "attract"
        self.home: dict | None = None  # the start-up state, taken on the first frame
        self.saved: dict | None = None  # the visitor's scene, restored when they return
        self.last_good: dict | None = None
        self.errors: list[str] = []
        self.resets = 0
        self._own = False              # True while the kiosk itself changes parameters
        self._frame_failed = False
        self._reset_done = False
        self._player: TourPlayer | None = None
        self._attract_t0 = 0.0
        self._mouse: tuple | None = None
        self.last_input = self.clock()
        self._unsubscribe = self.params.watch_all(self._on_param)
        self.events.accept(INPUT_EVENT, self.note_input)
        on_any_button(self.base, self.events, self.note_input)
        for keys in QUIT_KEYS:
            self.events.accept(keys, lambda: self.on_quit())
        self._lockdown(fullscreen)
        self.guard_tasks()
        self.base.taskMgr.add(self._task, TASK, sort=Stage.KIOSK)
        self.base.taskMgr.add(self._late_task, LATE_TASK, sort=Stage.KIOSK_LATE)

    # -- lockdown ---------------------------------------------------------------
    def _lockdown(self, fullscreen: bool) -> None:
        win = self.base.win
        if win is not None and hasattr(win, "setCloseRequestEvent"):
            win.setCloseRequestEvent(CLOSE_EVENT)
            self.events.accept(CLOSE_EVENT, lambda: self.banner.show(
                "kiosk mode: quit with Ctrl+Shift+Q", colour=(0.9, 0.9, 0.9, 1)))
        if fullscreen and not self.app.offscreen and self.base.pipe is not None:
            props = WindowProperties()
            props.setFullscreen(True)
            props.setSize(self.base.pipe.getDisplayWidth(), self.base.pipe.getDisplayHeight())
            win.requestProperties(props)
        controls = getattr(getattr(self.app, "scene_panel", None), "controls", None)
        for name in ("entry", "apply_button"):  # the custom GLSL editor
            widget = getattr(controls, name, None)
            if widget is not None:
                widget["state"] = DGG.DISABLED
        pad = getattr(self.app, "tools", {}).get("gamepad")
        if pad is not None:
            pad.focus.skip_item = lambda text: text == OPEN_FILE

    def _close_dialogs(self) -> None:
        dialog = getattr(self.app, "path_dialog", None)
        if dialog is not None:
            dialog.close()
            self.app.path_dialog = None
            self.banner.show("file dialogs are off in kiosk mode", colour=(0.9, 0.9, 0.9, 1))

    # -- guarded tasks --------------------------------------------------------------
    def guard_tasks(self) -> int:
        """Wrap every Python task not wrapped yet; returns how many were wrapped."""
        n = 0
        for task in self.base.taskMgr.getAllTasks():
            get = getattr(task, "getFunction", None)
            fn = get() if get else None
            if fn is None or getattr(fn, "_kiosk_guarded", False):
                continue
            task.setFunction(self._guarded(task.getName(), fn))
            n += 1
        return n

    def _guarded(self, name: str, fn):
        def guarded(*args, **kw):
            try:
                return fn(*args, **kw)
            except Exception as exc:  # the kiosk never stops on its own
                self._failed(name, exc)
                return Task.cont
        guarded._kiosk_guarded = True
        return guarded

    def _failed(self, name: str, exc: Exception) -> None:
        self._frame_failed = True
        changed = {k: v for k, v in self.params.snapshot().items()
                   if self.last_good is not None and self.last_good.get(k) != v}
        frame = ClockObject.getGlobalClock().getFrameCount()
        message = f"{type(exc).__name__} in {name}: {exc}"
        self.errors.append(message)
        log.error("kiosk: %s (frame %d, state %s, changed since the last good frame: %s)",
                  message, frame, self.state, changed, exc_info=exc)
        try:
            self.banner.show(f"recovered from an error: {message}")
            if self.last_good is not None and changed:
                self._apply(self.last_good)
        except Exception:
            log.exception("kiosk: could not restore the last good state")

    # -- input and idle ----------------------------------------------------------------
    def note_input(self) -> None:
        self.last_input = self.clock()
        self._reset_done = False
        if self.state == "attract":
            self.stop_attract()

    def _on_param(self, name: str, value) -> None:
        if not self._own and self.state == "active":
            self.last_input = self.clock()
            self._reset_done = False

    def _mouse_moved(self) -> bool:
        watcher = getattr(self.base, "mouseWatcherNode", None)
        if watcher is None or not watcher.hasMouse():
            return False
        pos = (watcher.getMouseX(), watcher.getMouseY())
        moved = self._mouse is not None and pos != self._mouse
        self._mouse = pos
        return moved

    def start_attract(self) -> None:
        self.saved = self.params.snapshot()
        self.state = "attract"
        self._attract_t0 = self.clock()
        self._player = TourPlayer(self.tour, self.params, self.app.actions.do,
                                  lambda a: a in self.app.actions)
        log.info("kiosk: idle for %.0f s, attract loop", self.idle_s)

    def stop_attract(self) -> None:
        self.state = "active"
        self._player = None
        self.caption.set("")
        if "attack.reset" in self.app.actions:
            self.app.actions.do("attack.reset")
        if self.saved is not None:
            self._apply(self.saved)
        log.info("kiosk: input, control back to the visitor")

    def reset_to_home(self) -> None:
        """The start-up state; a playing tour starts again from its beginning."""
        self.resets += 1
        self.saved = dict(self.home)
        if "attack.reset" in self.app.actions:
            self.app.actions.do("attack.reset")
        self._apply(self.home)
        if self.state == "attract":
            self._attract_t0 = self.clock()
            self._player = TourPlayer(self.tour, self.params, self.app.actions.do,
                                      lambda a: a in self.app.actions)
        log.info("kiosk: idle for %.0f s, scene reset to defaults", self.reset_s)

    def _apply(self, state: dict) -> None:
        diff = {k: v for k, v in state.items() if self.params[k] != v}
        if not diff:
            return
        self._own = True
        try:
            self.params.update(diff)
        finally:
            self._own = False

    # -- frames ------------------------------------------------------------------------
    def _task(self, task):
        now = self.clock()
        if self.home is None:
            self.home = self.params.snapshot()
            self.last_good = dict(self.home)
        self.guard_tasks()  # tools attached later
        self.banner.update()
        self._close_dialogs()
        if self._mouse_moved():
            self.note_input()
        idle = now - self.last_input
        if self.state == "active" and idle >= self.idle_s:
            self.start_attract()
        if idle >= self.reset_s and not self._reset_done:
            self._reset_done = True
            self.reset_to_home()
        if self._player is not None:
            self._own = True
            try:
                self._player.update(now - self._attract_t0)
            finally:
                self._own = False
            self.caption.set(fill_caption(self._player.caption, self._slot_titles()))
        return task.cont

    def _slot_titles(self) -> dict[str, str]:
        """What each model slot holds, by its registry title ("Model 2 (off)" when off)."""
        from game.core.results import SLOT_TITLES

        titles = {}
        for slot in ("model1", "model2"):
            loaded = self.app.slots.loaded.get(slot)
            on = self.params.flag(f"{slot}_enabled")
            titles[slot] = loaded.title if loaded is not None and on else \
                f"{SLOT_TITLES[slot]} ({'not loaded' if on else 'off'})"
        return titles

    def _late_task(self, task):
        if not self._frame_failed:
            self.last_good = self.params.snapshot()
        self._frame_failed = False
        return task.cont

    def destroy(self) -> None:
        self.base.taskMgr.remove(TASK)
        self.base.taskMgr.remove(LATE_TASK)
        self.events.ignoreAll()
        self._unsubscribe()
        self.banner.destroy()
        self.caption.destroy()


def attach(app, **kw) -> KioskTool:
    return KioskTool(app, **kw)
