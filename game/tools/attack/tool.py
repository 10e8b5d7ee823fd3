"""The in-app PGD attack: ``attach(ctx) -> AttackTool``.

Each "PGD Step" (``tool.step()``) does one step of ``nets.attacks`` on the attacked
model. The first step starts the attack on the frame the networks see at that moment
(``ctx.frame()``) and records the original top class and its probability.
While an attack is active:

* the composite ``grey + (original - grey) * original_alpha + perturbation *
  attack_alpha * gain`` is shown over the scene view as a static image (Perturbation
  Gain amplifies a perturbation too faint to see, its factor written in the overlay),
  and the networks see
  exactly that composite: an input filter in ``ctx.inference.filters`` swaps the
  frame for a :class:`CompositeFrame`, whose ``as_float()`` gives the float composite
  (a uint8 frame would round most of a small L2 perturbation away);
* the overlay tells the original class's probability before (top left) and after
  (top right) and the current top class (bottom right) under the attacked model.

A step is synchronous: one forward + backward pass (~50-100 ms for MobileNetV2 or
EfficientNet-Lite0 on two CPU cores), well under the frame budget of a button press.

Reset (``tool.reset()``) drops the attack and gives the live frame back. It happens on
the Reset button, a click (press and release without a drag) in the scene view, any
change of a parameter the frame depends on (camera, morph, scene, post, frequency,
object, background: the thesis locks the scene during an attack, here touching it
ends the attack instead), a new frame for any other reason (e.g. new custom GLSL),
a change of the attack's model, norm, epsilon or target (the next step starts
afresh), and the attacked model being switched off or replaced. The alphas and the
gain only re-compose the image; they keep the attack.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import torch

from game.core.attack_image import (NORM_TITLES, chw_to_hwc, composite, gain_factor, image_eps,
                                    to_uint8)
from game.app.slots import LoadedModel
from game.core.params import SCENE_NAMES, ParamError
from game.core.parsers import parse_target
from game.render.pipeline import Frame
from game.core.results import SLOT_TITLES, SLOTS
from game.core.stages import Stage
from nets.attacks import PGD, AttackError, eval_mode, make_attack
from nets.labels import IMAGENET, ClassNames, class_names
from nets.threads import torch_threads

log = logging.getLogger(__name__)

TASK = "perturber-attack"
RESTART_PARAMS = ("attack_model", "attack_norm", "attack_eps", "attack_target")
ALPHA_PARAMS = ("attack_alpha", "original_alpha", "attack_gain")
# torch threads for a step: on two shared cores one thread is steady (~100 ms for
# MobileNetV2 under load) where two spin against the renderer, the feature
# visualisation thread and other processes (0.4 to 10 s measured).
STEP_THREADS = 1


@dataclass(frozen=True)
class CompositeFrame(Frame):
    """A frame whose network input is the exact float composite; ``image`` is its uint8
    picture (what is shown and recorded)."""
    values: np.ndarray | None = None  # (3, H, W) float32 in [0, 1]

    def as_float(self) -> np.ndarray:
        return self.values


class CompositeFilter:
    """The engine's input filter: the live frame, or the composite while one is set."""

    def __init__(self):
        self.version = 0
        self.image: np.ndarray | None = None
        self.values: np.ndarray | None = None

    def set(self, image: np.ndarray | None, values: np.ndarray | None) -> None:
        self.image, self.values = image, values
        self.version += 1

    def __call__(self, frame: Frame) -> Frame:
        if self.image is None:
            return frame
        return CompositeFrame(self.image, frame.serial, frame.params_version, self.values)


@dataclass
class Session:
    """One running attack."""
    loaded: LoadedModel
    attack: PGD
    frame: Frame                 # the clean frame it started on
    clean: np.ndarray            # (3, H, W) float32
    original: dict               # {"index", "label", "prob"} under the attacked model
    start_ms: float


def gain_text(factor: float, gain: float) -> str:
    """The overlay's note on an amplified perturbation, e.g. "perturbation x12.5 (auto)"."""
    return f"perturbation x{factor:.3g}" + (" (auto)" if gain <= 0 else "")


def top_of(model, values: np.ndarray) -> torch.Tensor:
    """Softmax probabilities of ``model`` on one (3, H, W) image."""
    with eval_mode(model), torch.no_grad():
        return model(torch.from_numpy(values).unsqueeze(0))[0].float().softmax(0)


class AttackTool:
    def __init__(self, ctx):
        from game.tools.attack.dock import PredictionDock
        from game.tools.attack.overlay import AttackOverlay
        from ui import theme
        from ui.attack_panel import AttackPanel

        self.ctx, self.params, self.slots, self.inference = ctx, ctx.params, ctx.slots, ctx.inference
        self.session: Session | None = None
        self.filter = CompositeFilter()
        self.step_ms: list[float] = []   # every step's time (the first includes the start)
        self.gain = 1.0                  # the factor the shown perturbation is multiplied by
        self.last_probs: dict | None = None  # {"after", "now": {...}} of the latest composite
        self._texts_stale = False
        self._slots_version = None
        self.overlay = AttackOverlay(ctx.dock.scene_view, theme.VIEW_SIZE)
        column = ctx.dock.predictions
        w, _ = column.body_size
        self.panel = AttackPanel(column.body, self.params, w - 2 * theme.PAD,
                                 self._model_entries(), on_step=lambda: self._do("attack.step"),
                                 on_reset=lambda: self._do("attack.reset"),
                                 search=lambda text: self._classes().search(text),
                                 label_of=lambda index: self._classes().label(index),
                                 on_toggle=lambda collapsed: self.dock.place(opened=not collapsed))
        self.dock = PredictionDock(ctx.dock.prediction_view, column, self.panel,
                                   lambda: self.inference.latest)
        self.dock.place()
        self.panel.set_status("ready: PGD Step starts an attack")
        self._unwatch = [
            self.params.watch(SCENE_NAMES, lambda _n, _v: self._end("the scene changed")),
            self.params.watch(RESTART_PARAMS, lambda _n, _v: self._end("attack settings changed")),
            self.params.watch(ALPHA_PARAMS, lambda _n, _v: self._realpha()),
            ctx.scene_clicks.connect(self._scene_clicked),
        ]
        ctx.add_task(Stage.ATTACK, self._task, TASK)
        # named actions: the buttons, gamepad and keyboard run them; the recorder hears them
        ctx.actions.add("attack.step", self.step)
        ctx.actions.add("attack.reset", self.reset)

    def _do(self, name: str):
        return self.ctx.actions.do(name)

    # -- actions (what a gamepad or a recorder calls) ------------------------------------
    @property
    def active(self) -> bool:
        return self.session is not None

    def step(self) -> bool:
        """One PGD step (the first one starts the attack). False: refused (message shown)."""
        t0 = time.perf_counter()
        if self.session is None and not self._start():
            return False
        s = self.session
        try:
            self._engine_idle()
            with torch_threads(STEP_THREADS):
                s.attack.step()
        except Exception as exc:  # a model that cannot be differentiated: never crash
            log.exception("PGD step failed")
            self.reset()
            return self._refuse(f"PGD step failed: {exc}")
        ms = (time.perf_counter() - t0) * 1e3
        self.step_ms.append(ms)
        self._recompose()
        self.panel.set_status(f"step {s.attack.steps_done} ({ms:.0f} ms)")
        return True

    def reset(self, reason: str = "") -> None:
        """End the attack: the live frame is shown and fed to the networks again."""
        self.session = None
        self.last_probs = None
        self.gain = 1.0
        if self.filter in self.inference.filters:
            # the filter list changes, so the engine re-infers the live frame
            self.inference.filters.remove(self.filter)
        if self.filter.image is not None:
            self.filter.set(None, None)
        self.overlay.hide()
        self.panel.set_status(f"reset: {reason}" if reason else "ready: PGD Step starts an attack")

    # -- starting -------------------------------------------------------------------------
    def _start(self) -> bool:
        p = self.params
        slot, norm = p["attack_model"], p["attack_norm"]
        loaded = self.slots.loaded.get(slot)
        title = SLOT_TITLES.get(slot, slot)
        if loaded is None or not p.flag(f"{slot}_enabled"):
            state = "not loaded" if p.flag(f"{slot}_enabled") else "switched off"
            return self._refuse(f"PGD: {title} is {state}; enable it or attack another model",
                                f"{title} is {state}: enable it first")
        frame = self.ctx.frame()
        if frame is None:
            return self._refuse("PGD: no frame rendered yet")
        t0 = time.perf_counter()
        try:
            target = parse_target(p["attack_target"], len(class_names(loaded.model)))
            attack = make_attack(loaded.model, norm, image_eps(norm, p["attack_eps"]), target)
            clean = frame.as_float()
            self._engine_idle()
            with torch_threads(STEP_THREADS):
                attack.start(torch.from_numpy(clean))
        except (ParamError, AttackError) as exc:
            return self._refuse(f"PGD: {exc}")
        probs = attack.clean_logits[0].softmax(0)
        index = int(probs.argmax())
        original = {"index": index, "label": class_names(loaded.model).label(index),
                    "prob": float(probs[index])}
        self.session = Session(loaded, attack, frame, clean, original,
                               (time.perf_counter() - t0) * 1e3)
        if self.filter not in self.inference.filters:
            self.inference.filters.append(self.filter)
        return True

    def _engine_idle(self) -> None:
        """Worker mode: let the inference thread finish first. It runs the same model
        with a forward hook on the shown layer, which must not see (or cut short) the
        attack's passes. New jobs only start from this (the main) thread."""
        self.inference.wait_idle()

    def _refuse(self, message: str, short: str | None = None) -> bool:
        """Say why a step cannot be done (the app's error channel and the panel)."""
        self.ctx.show_error(message)
        self.panel.set_status(short or message.removeprefix("PGD: "), error=True)
        return False

    # -- the composite -------------------------------------------------------------------------
    def _recompose(self) -> None:
        s = self.session
        p = self.params
        delta = s.attack.perturbation[0].numpy()
        self.gain = gain_factor(p["attack_gain"], delta, p["attack_alpha"])
        values = composite(s.clean, delta, p["attack_alpha"], p["original_alpha"], self.gain)
        image = to_uint8(chw_to_hwc(values))
        self.filter.set(image, values)
        self.overlay.show_image(image)
        self._texts_stale = True

    def _update_texts(self) -> None:
        s = self.session
        self._engine_idle()
        with torch_threads(STEP_THREADS):
            probs = top_of(s.loaded.model, self.filter.values)
        o = s.original
        now = int(probs.argmax())
        self.last_probs = {
            "after": {**o, "prob": float(probs[o["index"]])},
            "now": {"index": now, "label": class_names(s.loaded.model).label(now),
                    "prob": float(probs[now])},
        }
        after, top = self.last_probs["after"], self.last_probs["now"]
        a = s.attack
        eps = f"{self.params['attack_eps']:g}" + ("/255" if a.norm == "linf" else "")
        kind = ", untargeted" if a.target is None else \
            f" -> {class_names(s.loaded.model).label(a.target)}"
        self.overlay.set_texts(
            before=("before", o["label"], f"{o['prob']:.1%}"),
            after=("after", after["label"], f"{after['prob']:.1%}"),
            now=("now", top["label"], f"{top['prob']:.1%}"),
            info=f"{SLOT_TITLES[s.loaded.slot]}, {NORM_TITLES[a.norm]} eps {eps}\n"
                 f"{a.steps_done} step{'s' if a.steps_done != 1 else ''}{kind}"
                 + (f"\n{gain_text(self.gain, self.params['attack_gain'])}"
                    if self.gain != 1.0 else ""))
        self._texts_stale = False

    # -- listening ----------------------------------------------------------------------------
    def _end(self, reason: str) -> None:
        if self.session is not None:
            self.reset(reason)

    def _realpha(self) -> None:
        if self.session is not None:
            self._recompose()

    def _scene_clicked(self) -> None:
        self._end("scene clicked")

    def _task(self, task):
        slots = self.slots
        if slots.version != self._slots_version:
            self._slots_version = slots.version
            self.panel.set_models(self._model_entries())
            s = self.session
            if s is not None and (slots.loaded.get(s.loaded.slot) is not s.loaded
                                  or not self.params.flag(f"{s.loaded.slot}_enabled")):
                self.reset("the attacked model was switched off or replaced")
        frame = self.ctx.frame()
        if self.session is not None and frame is not None and frame.serial != self.session.frame.serial:
            self.reset("a new frame was rendered")
        if self.session is not None and self._texts_stale:
            self._update_texts()
        self.dock.refit()
        return task.cont

    def _model_entries(self):
        from ui.menus import Entry

        slots = self.slots
        return [Entry(s, SLOT_TITLES[s], slots.loaded.get(s) is not None
                      and self.params.flag(f"{s}_enabled")) for s in SLOTS]

    def _classes(self) -> ClassNames:
        """The class names of the attacked model (ImageNet-1k's while none is loaded)."""
        loaded = self.slots.loaded.get(self.params["attack_model"])
        return class_names(loaded.model) if loaded is not None else IMAGENET

    def destroy(self) -> None:
        self.ctx.remove_task(TASK)
        for unwatch in self._unwatch:
            unwatch()
        if self.filter in self.inference.filters:
            self.inference.filters.remove(self.filter)
        self.dock.destroy()
        self.panel.destroy()
        self.overlay.destroy()


def attach(ctx) -> AttackTool:
    return AttackTool(ctx)
