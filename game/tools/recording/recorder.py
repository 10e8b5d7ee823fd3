"""Records a running app (a tool): ``attach(ctx)`` -> :class:`Recorder`.

Idle until :meth:`Recorder.start` (``perturber --record FILE`` or the window's record
button). While recording it hears every ParamState change (``watch_all``), every named
action (``ctx.actions.done``), ``perturber-focus`` messenger events (the gamepad focus
sends them: ``messenger.send("perturber-focus", ["scene.hue"])``), model changes and
every inference result (``ctx.inference.results``: a ``frame`` digest). See
:mod:`game.tools.recording.format`.
"""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from game.tools.recording import format as fmt

log = logging.getLogger(__name__)

FOCUS_EVENT = "perturber-focus"
DEFAULT_DIR = Path("recordings")


def renderer_of(window) -> str:
    """The GL renderer string: frame digests are only comparable on the same one."""
    gsg = window.getGsg()
    return f"{gsg.getDriverVendor()} | {gsg.getDriverRenderer()}" if gsg else ""


def models_of(slots) -> dict:
    return {slot: None if m is None else {"name": m.name, "checkpoint": m.checkpoint, "key": m.key}
            for slot, m in slots.loaded.items()}


class Recorder:
    def __init__(self, ctx):
        from direct.showbase.DirectObject import DirectObject

        from ui.record_button import RecordButton

        self.ctx = ctx
        self.writer: fmt.Writer | None = None
        self.on_state = []             # fn(recording: bool), e.g. the record button
        self._events = DirectObject()
        self._stops = []               # what disconnects the listeners while recording
        self._keys = None
        self.button = RecordButton(ctx.dock.scene_column, self.toggle)
        self.on_state.append(self.button.set_recording)

    @property
    def recording(self) -> bool:
        return self.writer is not None

    @property
    def path(self) -> Path | None:
        return self.writer.path if self.writer else None

    def toggle(self) -> None:
        if self.recording:
            self.stop()
        else:
            self.start(DEFAULT_DIR / datetime.now().strftime("session-%Y%m%d-%H%M%S.jsonl"))

    def start(self, path: Path) -> Path:
        self.stop()
        ctx = self.ctx
        win = ctx.window
        header = fmt.make_header(ctx.params.snapshot(), models_of(ctx.slots), renderer_of(win),
                                 (win.getXSize(), win.getYSize()), ctx.custom_snippet())
        self.writer = fmt.Writer(path, header)
        self._keys = self._model_keys()
        self._stops = [ctx.params.watch_all(self._param), ctx.actions.done.connect(self._action),
                       ctx.custom_changed.connect(self._custom),
                       ctx.inference.results.connect(self._result)]
        self._events.accept(FOCUS_EVENT, self.focus)
        if ctx.inference.latest is not None:  # what the window shows as recording starts
            self._frame(ctx.inference.latest)
        log.info("recording to %s", self.writer.path)
        self._notify()
        return self.writer.path

    def stop(self) -> Path | None:
        if self.writer is None:
            return None
        path = self.writer.path
        self._detach()
        try:
            self.writer.close()
        except OSError as exc:
            self.ctx.show_error(f"recording: could not close {path}: {exc}", self.button.widget)
        self.writer = None
        log.info("recording saved: %s", path)
        self._notify()
        return path

    def _detach(self) -> None:
        for stop in self._stops:
            stop()
        self._stops = []
        self._events.ignoreAll()

    # -- events ------------------------------------------------------------------------
    def focus(self, target: str) -> None:
        if self.writer:
            self._write("focus", target=str(target))

    def _param(self, name: str, value) -> None:
        self._write("param", name=name, value=value)

    def _action(self, name: str) -> None:
        self._write("action", name=name)

    def _custom(self, code: str) -> None:
        self._write("custom", code=code)

    def _write(self, kind: str, **fields) -> None:
        """A failing disk stops the recording with a message; it never stops the app."""
        try:
            self.writer.event(kind, **fields)
        except (OSError, ValueError) as exc:
            path = self.writer.path
            self.writer = None
            self._detach()
            self._notify()
            self.ctx.show_error(f"recording stopped: could not write {path}: {exc}",
                                self.button.widget)

    def _result(self, result) -> None:
        if self.writer:
            self._frame(result)

    def _frame(self, result) -> None:
        keys = self._model_keys()
        if keys != self._keys:
            self._keys = keys
            self._write("models", models=keys)
        if self.writer:
            self._write(**fmt.result_event(result, self.ctx.inference.mode))

    def _model_keys(self) -> dict:
        return {slot: None if m is None else m.key for slot, m in self.ctx.slots.loaded.items()}

    def _notify(self) -> None:
        for fn in list(self.on_state):
            fn(self.recording)

    def destroy(self) -> None:
        self.stop()
        self.button.destroy()


def attach(ctx) -> Recorder:
    return Recorder(ctx)
