"""Weight editing in the app: keeps the Edited Model up to date.

The Edited Model is made from the loaded Model 1 (and, to mix, Model 2) by
``nets.editing`` according to ``edit_mode`` and ``edit_weights``. Whenever one of
those, or a slot's model, changed and ``edited_enabled`` is on, it is rebuilt once,
in a task that runs before the frame is inferred (so several changes in one frame
cost one rebuild), and handed to ``ModelSlots.set_edited`` with a key naming the
edit, so caches keyed by weights (feature visualisations, neuron groups) never mix
two edits. An edit that changes nothing (no settings for the mode, or Mix without
two models of one architecture) *is* Model 1: same network, same key.

``edit_weights`` is checked as soon as it is set: a malformed string, or one naming
a block Model 1 does not have, is refused with a message and the previous string
comes back. Blocks that were fine for an earlier Model 1 stay in the string (they are
ignored, with a note) so that switching back loses nothing.

The "Edit..." button on the Edited Model's row opens the panel (``ui.edit_panel``)
over the scene sliders, leaving the activations and predictions in view.
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from game.app.slots import LoadedModel
from game.core.params import ParamError
from game.core.stages import Stage
from nets.editing import (FULL, EditError, EditSettings, block_names, check_same_architecture,
                          edit, format_edits, parse_edits, read_edits)
from nets.threads import torch_threads
from ui.overlay_panel import PanelOwner

log = logging.getLogger(__name__)

TASK = "perturber-editing"
# Titles follow "Edited Model: " in the views' row headers.
IDENTITY = "same as Model 1"
TITLES = {"mix": "mix of Model 1 and 2", "prune": "pruned Model 1"}
SAME_ARCH = ("Mix needs Model 1 and Model 2 of the same architecture{}; "
             "Prune works on Model 1")


@dataclass(frozen=True)
class Built:
    """What the last rebuild made."""
    mode: str
    edited: bool          # False: the Edited Model is Model 1 itself
    title: str
    key: str
    ms: float             # time to build it
    blocks: int = 0       # blocks edited
    note: str = ""        # ignored blocks
    problem: str = ""     # why the mode cannot edit (Mix without two models of one kind)
    wanted: bool = False  # the mode has settings (so a problem is an error)


def edit_key(mode: str, model1: LoadedModel, model2: LoadedModel | None, canonical: str) -> str:
    """A stable id of an edit: the models' weight keys, the mode and its settings."""
    parts = [mode, model1.key, model2.key if (mode == "mix" and model2) else "", canonical]
    return "edited-" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def arch_of(loaded: LoadedModel) -> str | None:
    """The display name of the slot's architecture (None: not a registry model)."""
    from nets import registry

    try:
        return registry.get_arch(registry.get(loaded.name).arch).display
    except KeyError:
        return None


def mix_problem(model1: LoadedModel, model2: LoadedModel | None) -> str:
    """Why Model 1 and Model 2 cannot be mixed ("" if they can)."""
    if model2 is None:
        return "Mix needs Model 2: enable it once to load it; Prune works on Model 1"
    a1, a2 = arch_of(model1), arch_of(model2)
    if a1 and a2 and a1 != a2:
        return SAME_ARCH.format(f" (here {a1} and {a2})")
    try:
        check_same_architecture(model1.model.net.state_dict(), model2.model.net.state_dict())
    except EditError:
        return SAME_ARCH.format("")
    return ""


# Editing is memory-bound copying; with the cores shared with rendering (and other
# processes), two OpenMP threads make each parallel copy wait at a barrier for a
# descheduled partner: cloning MobileNetV2's tensors took ~250 ms with 2 threads and
# ~2 ms with 1 on a loaded 2-core machine. Only this (main) thread is affected.
EDIT_THREADS = 1


class EditTool(PanelOwner):
    def __init__(self, ctx):
        self.ctx, self.params, self.slots = ctx, ctx.params, ctx.slots
        self.rows, self.cover = ctx.dock.slot_rows, ctx.dock.over_sliders
        self.built: Built | None = None
        self.builds = 0
        self.panel = None
        self._signature = None
        self._reverting = False
        self._good = ""
        self._blocks: tuple = (None, [])
        self._button = self.rows.add_button("edited", "Edit\u2026", self.toggle_panel)
        self._check_initial()
        self._unwatch = [self.params.watch("edit_weights", self._on_weights),
                         # the slot row's status follows the checkbox
                         self.params.watch("edited_enabled", lambda _n, _v: self._show_built())]
        ctx.add_task(Stage.EDIT, self._task, TASK)
        self.sync()

    # -- the Edited Model --------------------------------------------------------------
    def blocks(self) -> list[str]:
        """The blocks of the loaded Model 1 ([] if none is loaded)."""
        m1 = self.slots.loaded["model1"]
        if m1 is None:
            return []
        if self._blocks[0] is not m1.model:
            self._blocks = (m1.model, block_names(m1.model))
        return list(self._blocks[1])

    def sync(self, force: bool = False) -> bool:
        """Rebuild the Edited Model if what it depends on changed; True if it did."""
        if not self.params.flag("edited_enabled"):
            return False
        signature = self._inputs()
        if signature == self._signature and not force:
            return False
        self._signature = signature
        self._rebuild()
        return True

    def _inputs(self) -> tuple:
        m1, m2 = self.slots.loaded["model1"], self.slots.loaded["model2"]
        mode = self.params["edit_mode"]
        return (m1 and m1.key, m2 and m2.key if mode == "mix" else None, mode,
                self.params["edit_weights"])

    def _rebuild(self) -> None:
        m1, m2 = self.slots.loaded["model1"], self.slots.loaded["model2"]
        if m1 is None:
            self.built = None
            self.slots.set_edited(None)
            self._show("Model 1 is not loaded: enable it to edit its weights", "no Model 1", True)
            return
        start = time.perf_counter()
        mode, names = self.params["edit_mode"], self.blocks()
        settings = parse_edits(self.params["edit_weights"])
        ignored = settings.unknown(names)
        wanted = settings.only(names).of(mode)
        note = f"ignored (not blocks of {m1.title}): {', '.join(ignored)}" if ignored else ""
        problem = mix_problem(m1, m2) if mode == "mix" else ""
        model = None
        if wanted and not problem:
            try:
                with torch_threads(EDIT_THREADS):
                    model = edit(mode, m1.model, m2.model if m2 else None, settings.only(names))
            except EditError as exc:  # not expected after the checks: say so, keep Model 1
                problem = str(exc)
        if model is None:  # nothing to edit, or it cannot be: the Edited Model is Model 1
            self.slots.set_edited(m1.model, IDENTITY, m1.key)
            built = Built(mode, False, IDENTITY, m1.key, (time.perf_counter() - start) * 1e3,
                          0, note, problem, bool(wanted))
        else:
            only = EditSettings(wanted, {}) if mode == "mix" else EditSettings({}, wanted)
            key = edit_key(mode, m1, m2, format_edits(only, names))
            title = TITLES[mode]
            ms = (time.perf_counter() - start) * 1e3
            self.slots.set_edited(model, title, key)
            built = Built(mode, True, title, key, ms, len(wanted), note, "", True)
        self.built = built
        self.builds += 1
        log.info("edited model: %s (%s) in %.1f ms", built.title, built.key, built.ms)
        self._show_built()

    # -- messages ----------------------------------------------------------------------
    def _show_built(self) -> None:
        b = self.built
        if not self.params.flag("edited_enabled"):
            self._show("The Edited Model is off: tick its box to build and see the edit", "", False)
            return
        if b is None:
            return
        if b.problem:
            status = "cannot mix (see Edit\u2026)" if b.wanted else "same as Model 1"
            self._show(b.problem, status, b.wanted, panel_error=True)
            return
        if b.edited:
            what = f"{'mixed' if b.mode == 'mix' else 'pruned'} {b.blocks} block" + (
                "" if b.blocks == 1 else "s")
            text = f"{what}, rebuilt in {b.ms:.0f} ms"
        else:
            what = text = "same as Model 1 (nothing edited)"
        self._show(f"{text}; {b.note}" if b.note else text, what, False)

    def _show(self, message: str, status: str, error: bool, panel_error: bool | None = None) -> None:
        if self.panel is not None:
            self.panel.set_message(message, error if panel_error is None else panel_error)
        self.rows.set_status("edited", status if self.params.flag("edited_enabled") else "", error)

    # -- parameters ----------------------------------------------------------------------
    def _check_initial(self) -> None:
        try:
            self._check(self.params["edit_weights"], "")
            self._good = self.params["edit_weights"]
        except EditError as exc:
            self._refuse(str(exc), "")

    def _check(self, text: str, previous: str) -> None:
        """EditError if ``text`` is malformed or names a block Model 1 does not have
        (blocks the previous string already had are let through: see the module doc)."""
        names = self.blocks()
        if not names:
            parse_edits(text)
            return
        try:
            had = parse_edits(previous).unknown(names)
        except EditError:
            had = []
        parse_edits(text, names, tolerate=had)

    def _refuse(self, message: str, back_to: str) -> None:
        if self.panel is not None:
            self.ctx.show_error(message)
            self.panel.set_message(message, error=True)
        else:  # no panel yet: under the Edited Model's row
            self.ctx.show_error(message, self.rows.slots["edited"].root)
        self._reverting = True
        try:
            self.params.set("edit_weights", back_to)
        except ParamError:
            pass
        finally:
            self._reverting = False

    def _on_weights(self, _name: str, value) -> None:
        if self._reverting:
            return
        try:
            self._check(value, self._good)
        except EditError as exc:
            self._refuse(f"edit_weights refused: {exc}", self._good)
            return
        self._good = value

    def _task(self, task):
        self.sync()
        if self.panel is not None:
            self.panel.set_blocks(self.blocks())
        return task.cont

    # -- the panel -------------------------------------------------------------------------
    def open_panel(self):
        """Show the panel over the scene sliders; the Edited Model is switched on."""
        if self.panel is None:
            from ui.edit_panel import EditFormat, EditPanel

            parent, w, h, pos = self.cover.frame()
            self.panel = EditPanel(parent, self.params,
                                   EditFormat(read_edits, format_edits, FULL), w, h,
                                   pos, self.blocks(),
                                   on_close=lambda: self.cover.closed(self.panel))
        self.panel.set_blocks(self.blocks())
        self.cover.open(self.panel)
        if not self.params.flag("edited_enabled"):
            self.params.set("edited_enabled", 1)
        self.sync()
        self._show_built()
        return self.panel

    def destroy(self) -> None:
        self.ctx.remove_task(TASK)
        for unwatch in self._unwatch:
            unwatch()
        self.destroy_panel()
        self.rows.remove_button("edited", self._button)


def attach(ctx) -> EditTool:
    return EditTool(ctx)
