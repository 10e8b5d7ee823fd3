"""The one parameter model: every scene, morph, post, frequency and camera parameter.

Sliders, mouse, keyboard, CLI ``--set``, gamepad and the recorder all change the scene
through :class:`ParamState`; the renderer reads it. Shader uniforms carry the same
names as the parameters. Nothing here imports panda3d, so it is testable on its own.
"""
from __future__ import annotations

import math
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from game.core.signals import Signal

SCENE_GROUPS = ("scene", "morph", "post", "frequency", "camera")  # what the frame depends on
GROUP_LABELS = {
    "scene": "Scene",
    "morph": "Morph",
    "post": "Post Processing",
    "frequency": "Frequency Decomp.",
    "camera": "Camera",
    "activations": "Activations",
    "models": "Models",
    "attack": "Adversarial Attack",
    "editing": "Weight Editing",
}


class ParamError(ValueError):
    """A parameter name or value the model rejects; the message says why."""


@dataclass(frozen=True)
class Param:
    name: str
    group: str
    label: str
    min: float
    max: float
    default: float
    integer: bool = False
    help: str = ""
    flag: bool = False  # an on/off switch (0 or 1), shown as a checkbox

    @property
    def scene(self) -> bool:
        """True if the rendered frame depends on it."""
        return self.group in SCENE_GROUPS

    def validate(self, value) -> float:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ParamError(f"{self.name}: {value!r} is not a number") from None
        if not math.isfinite(v):
            raise ParamError(f"{self.name}: {value!r} is not a finite number")
        if v < self.min or v > self.max:
            raise ParamError(
                f"{self.name}={value} is out of range [{_fmt(self.min)}, {_fmt(self.max)}]"
            )
        if self.integer:
            if v != round(v):
                raise ParamError(f"{self.name}={value} must be a whole number")
            v = float(round(v))
        return v

    def as_dict(self) -> dict:
        return {
            "name": self.name, "group": self.group, "label": self.label,
            "min": self.min, "max": self.max, "default": self.default,
            "integer": self.integer, "help": self.help, "flag": self.flag,
        }


def _fmt(x: float) -> str:
    return f"{x:g}"


P = Param


def F(name: str, group: str, label: str, default: int, help: str = "") -> Param:
    """An on/off switch."""
    return Param(name, group, label, 0, 1, default, integer=True, help=help, flag=True)


PARAMS: tuple[Param, ...] = (
    # Scene (pre-rasterisation): textures and lighting.
    P("background_blur", "scene", "Background Blur", 0.0, 1.0, 0.0,
      help="mip level of the background; 1 = its average colour"),
    P("background_saturation", "scene", "Background Saturation", 0.0, 1.0, 1.0),
    P("texture_influence", "scene", "Texture Influence", 0.0, 1.0, 1.0,
      help="0 = the object's texture replaced by solid white"),
    P("texture_blur", "scene", "Texture Blur", 0.0, 1.0, 0.0,
      help="mip bias on the object's texture; 1 = its average colour"),
    P("lighting_influence", "scene", "Lighting Influence", 0.0, 1.0, 1.0,
      help="0 = uniform shading 1.0, 1 = three Blinn lights"),
    # Morph between the two objects of a pair (shared topology and UVs).
    P("overall_morph", "morph", "Overall", 0.0, 1.0, 0.0,
      help="linked control: setting it sets shape_morph and texture_morph"),
    P("shape_morph", "morph", "Shape", 0.0, 1.0, 0.0),
    P("texture_morph", "morph", "Texture", 0.0, 1.0, 0.0),
    # Post processing on the rasterised image, applied in this order.
    P("alpha", "post", "Alpha", 0.0, 1.0, 1.0, help="darkens towards black"),
    P("hue", "post", "Hue", -0.5, 0.5, 0.0, help="-0.5..0.5 = -180..180 degrees"),
    P("saturation", "post", "Saturation", 0.0, 1.0, 1.0, help="0 = grey"),
    P("custom", "post", "Custom Parameter", 0.0, 2.0, 1.0,
      help="drives the custom GLSL snippet (default: contrast factor)"),
    P("patch_shuffle", "post", "Patch Shuffling", 1, 8, 1, integer=True,
      help="k x k cells in a seeded random order; 1 = unchanged"),
    # Frequency decomposition: low = Gaussian blur (sigma = cutoff), high = image - low.
    P("freq_cutoff", "frequency", "Cutoff", 0.5, 16.0, 4.0,
      help="Gaussian sigma of the low band, in pixels of the 224 image"),
    P("low_alpha", "frequency", "Low Alpha", 0.0, 2.0, 1.0, help="0 = uniform grey"),
    P("high_alpha", "frequency", "High Alpha", 0.0, 2.0, 1.0),
    P("low_sigma", "frequency", "Low Sigma", 0.0, 8.0, 0.0, help="extra blur of the low band (px)"),
    P("high_sigma", "frequency", "High Sigma", 0.0, 8.0, 0.0, help="blur of the high band (px)"),
    P("low_hue", "frequency", "Low Hue", -0.5, 0.5, 0.0),
    P("high_hue", "frequency", "High Hue", -0.5, 0.5, 0.0),
    # Camera orbiting the object (degrees, scene units).
    P("yaw", "camera", "Yaw", -180.0, 180.0, -45.0, help="0 = side view, head to the right"),
    P("pitch", "camera", "Pitch", -89.0, 89.0, -12.0),
    P("roll", "camera", "Roll", -180.0, 180.0, 0.0),
    P("distance", "camera", "Distance", 0.5, 12.0, 3.9),
    P("pan_x", "camera", "Pan X", -2.0, 2.0, 0.0),
    P("pan_y", "camera", "Pan Y", -2.0, 2.0, 0.0),
    # The neuron activation view (does not change the frame).
    P("n_neurons", "activations", "# of Neurons", 1, 8, 4, integer=True),
    P("act_normalization", "activations", "Act. Divisor 10^(v-2)", 0.0, 4.0, 0.0,
      help="0 = divide by 4 standard deviations of the whole layer; "
           "v > 0 = divide by the fixed 10**(v - 2)"),
    F("show_activations", "activations", "Show Activations", 1),
    F("naive_param", "activations", "Naive Parameterization", 0,
      help="feature visualisations in pixel space instead of Fourier + decorrelated colour"),
    F("same_channels", "activations", "Same in Every Row", 0,
      help="rows of models of one architecture show the channels of the first such row"),
    # Model slots (the networks themselves are chosen by the discrete model1 / model2).
    F("model1_enabled", "models", "Model 1", 1),
    F("model2_enabled", "models", "Model 2", 1),
    F("edited_enabled", "models", "Edited Model", 0),
    F("show_predictions", "models", "Show Predictions", 1),
    P("model1_checkpoint", "models", "Checkpoint", 0, 1_000_000, 0, integer=True,
      help="training iteration of Model 1's variant; 0 = its final weights"),
    P("model2_checkpoint", "models", "Checkpoint", 0, 1_000_000, 0, integer=True,
      help="training iteration of Model 2's variant; 0 = its final weights"),
    F("show_sensitivity", "models", "Sensitivity", 0,
      help="a bar beside each scene slider: d(top class logit)/d(parameter), computed "
           "in a worker process after changes settle"),
    F("show_logits", "models", "Logits", 0,
      help="the prediction bars show the classes' logits instead of their probabilities"),
    # PGD attacks (each "PGD Step" is an event, not a parameter).
    P("attack_eps", "attack", "Epsilon", 0.0, 16.0, 1.0,
      help="radius of the ball around the original: L2 in [0, 1]-image units, "
           "Linf in 1/255 steps (8 = 8/255)"),
    P("attack_alpha", "attack", "Attack Alpha", 0.0, 1.0, 1.0,
      help="fades the perturbation out (0 = the original only)"),
    P("original_alpha", "attack", "Original Alpha", 0.0, 1.0, 1.0,
      help="fades the original to 50% grey (0 = grey plus perturbation)"),
    P("attack_gain", "attack", "Perturbation Gain", 0.0, 100.0, 1.0,
      help="multiplies the perturbation in the composite the networks see and the window "
           "shows; 0 = auto: 99 % of its values within full contrast around grey"),
)
BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
DISCRETE = {
    "object": "dog_cat", "background": "lawn", "feat_vis": "",
    "model1": "mobilenet_v2", "model2": "efficientnet_lite0",  # registry names
    "layer": "block13",            # a tappable layer of Model 1 (Model 2: same depth)
    "neuron_group": "most_active",  # which channels the activation view shows
    "channels": "",                # typed channels "8,48,24" shown instead of the group's
    "inference_mode": "sync",      # sync: frame -> inference -> display; worker: latest wins
    "attack_model": "model1",      # the slot the PGD attack differentiates
    "attack_norm": "l2",
    "attack_target": "",           # "" = untargeted, else an ImageNet class index
    "edit_mode": "mix",            # how the Edited Model is made from Model 1 and 2
    "edit_weights": "",            # per layer: mix "block3=0.5,..." / prune "block3=0.1:0.9,..."
}
SCENE_DISCRETE = ("object", "background", "feat_vis")
# Discrete parameters that may be empty: "" switches the Feat. Vis. plane off.
MAY_BE_EMPTY = {"feat_vis", "attack_target", "edit_weights", "channels"}
CHOICES = {"inference_mode": ("sync", "worker"), "attack_model": ("model1", "model2", "edited"),
           "attack_norm": ("l2", "linf"), "edit_mode": ("mix", "prune")}


# Every parameter the rendered frame depends on: ``watch`` them to hear "the scene changed".
SCENE_NAMES = tuple(p.name for p in PARAMS if p.scene) + SCENE_DISCRETE

# overall_morph is the linked control of the thesis: it moves both halves together.
LINKED = {"overall_morph": ("shape_morph", "texture_morph")}


def params_in(group: str) -> list[Param]:
    return [p for p in PARAMS if p.group == group]


def parse_assignment(text: str) -> tuple[str, str]:
    """``"hue=0.25"`` -> ``("hue", "0.25")`` with a clear error for anything else."""
    if "=" not in text:
        raise ParamError(f"expected NAME=VALUE, got {text!r}")
    name, value = (s.strip() for s in text.split("=", 1))
    return name, value


def check_discrete(name: str, value) -> str:
    """``value`` of the discrete parameter ``name`` as it is kept (stripped text), or a
    ParamError saying why it is refused."""
    value = str(value).strip()
    if not value and name not in MAY_BE_EMPTY:
        raise ParamError(f"{name}: empty value")
    if name in CHOICES and value not in CHOICES[name]:
        raise ParamError(f"{name}={value!r}: choose one of {', '.join(CHOICES[name])}")
    if name == "channels":
        from game.core.parsers import parse_channels

        most = int(BY_NAME["n_neurons"].max)
        if len(parse_channels(value)) > most:
            raise ParamError(f"channels {value!r}: at most {most} channels")
    return value


Listener = Callable[[str, object], None]


class ParamState:
    """Current values, validated. Each parameter has its own change signal: ``watch``
    connects ``fn(name, new value)`` to one or several of them; ``watch_all`` hears every
    change of every parameter, after the per-name listeners."""

    def __init__(self):
        self._values: dict[str, float] = {p.name: p.default for p in PARAMS}
        self._discrete: dict[str, str] = dict(DISCRETE)
        self._signals: dict[str, Signal] = {}  # per parameter, made on its first watch
        self._every = Signal()
        self._serials: dict[str, int] = {}  # per parameter: changes so far
        self.version = 0  # bumped on every change: cheap "did anything change?"

    # -- reading ---------------------------------------------------------------
    def __getitem__(self, name: str):
        if name in self._values:
            return self._values[name]
        if name in self._discrete:
            return self._discrete[name]
        raise ParamError(self._unknown(name))

    def values(self) -> dict[str, float]:
        return dict(self._values)

    def flag(self, name: str) -> bool:
        return bool(self[name])

    def snapshot(self) -> dict:
        return {**self._values, **self._discrete}

    # -- writing ---------------------------------------------------------------
    def set(self, name: str, value) -> None:
        self._tell(self._assign(name, value))

    def update(self, assignments: dict | Iterable[tuple[str, object]]) -> None:
        """Apply several values; all are validated before any is applied, and all are
        applied before any listener hears of them (a listener of ``model2`` then reads
        the ``model2_checkpoint`` that came with it)."""
        items = list(assignments.items() if isinstance(assignments, dict) else assignments)
        for name, value in items:
            if name in self._discrete:
                check_discrete(name, value)
            elif name in BY_NAME:
                BY_NAME[name].validate(value)
            else:
                raise ParamError(self._unknown(name))
        changes = []
        for name, value in items:
            changes += self._assign(name, value)
        self._tell(changes)

    def reset(self, group: str | None = None) -> None:
        """Back to defaults: one group, or (``None``) every scene parameter."""
        for p in PARAMS:
            if group is None and not p.scene:
                continue
            if group is None or p.group == group:
                self.set(p.name, p.default)

    # -- listening -------------------------------------------------------------------
    def watch(self, names: str | Iterable[str], fn: Listener) -> Callable[[], None]:
        """Call ``fn(name, value)`` after every change of ``names`` (one name or several);
        returns the function that stops it."""
        names = (names,) if isinstance(names, str) else tuple(names)
        for name in names:
            if name not in self._values and name not in self._discrete:
                raise ParamError(self._unknown(name))
        signals = [self._signals.setdefault(name, Signal()) for name in names]
        for signal in signals:
            signal.connect(fn)

        def stop() -> None:
            for signal in signals:
                signal.disconnect(fn)
        return stop

    def watch_all(self, fn: Listener) -> Callable[[], None]:
        """Call ``fn(name, value)`` after every change of any parameter, for listeners that
        need them all (the recorder, the kiosk's idle timer); returns the function that
        stops it."""
        return self._every.connect(fn)

    @contextmanager
    def blocking(self, fn: Listener) -> Iterator[None]:
        """``fn`` hears none of the changes made inside the block: a widget that sets the
        parameter it shows does not hear its own change back."""
        with ExitStack() as stack:
            for signal in (*self._signals.values(), self._every):
                stack.enter_context(signal.blocked(fn))
            yield

    # -- internals ---------------------------------------------------------------
    def _assign(self, name: str, value) -> list[tuple[str, object, int]]:
        """Store ``value`` (and the values linked to it), telling nobody yet: the
        changes as (name, value, serial)."""
        if name in self._discrete:
            value = check_discrete(name, value)
            if self._discrete[name] == value:
                return []
            self._discrete[name] = value
            return [(name, value, self._count(name))]
        if name not in BY_NAME:
            raise ParamError(self._unknown(name))
        value = BY_NAME[name].validate(value)
        changes = []
        for n in (name, *LINKED.get(name, ())):
            if self._values[n] != value:
                self._values[n] = value
                changes.append((n, value, self._count(n)))
        return changes

    def _count(self, name: str) -> int:
        self.version += 1
        serial = self._serials[name] = self._serials.get(name, 0) + 1
        return serial

    def _tell(self, changes: list[tuple[str, object, int]]) -> None:
        """Tell the listeners, change by change. A listener that changes a parameter again
        (a slot going back to the model it still holds after a failed load) ends the
        emission of the older value: every listener then hears the newer value, and none
        hears a value after a newer one, nor a value that was replaced before it was told."""
        for name, value, serial in changes:
            def current(name=name, serial=serial) -> bool:
                return self._serials[name] == serial

            if not current():
                continue
            if name in self._signals:
                self._signals[name].emit_while(current, name, value)
            self._every.emit_while(current, name, value)

    @staticmethod
    def _unknown(name: str) -> str:
        import difflib
        known = list(BY_NAME) + list(DISCRETE)
        close = difflib.get_close_matches(name, known, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        return f"unknown parameter {name!r}{hint}; `perturber render --list-params` lists them"
