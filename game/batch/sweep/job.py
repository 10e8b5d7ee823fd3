"""What a probe job is made of: plain, picklable data."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from game.core.params import BY_NAME, DISCRETE, ParamError, ParamState

# A point may also set these (strings): each point then says which object / background.
POINT_DISCRETE = ("object", "background")


@dataclass(frozen=True)
class SceneSpec:
    """A scene: object and background, then the object's preferred camera, then ``values``
    (continuous parameters, as pairs) on top of the defaults, then a point's own values."""
    object: str = DISCRETE["object"]
    background: str = DISCRETE["background"]
    values: tuple[tuple[str, float], ...] = ()
    custom_glsl: str | None = None  # the Custom effect's snippet; None = the built-in one

    @classmethod
    def from_params(cls, params: ParamState, custom_glsl: str | None = None) -> "SceneSpec":
        """The scene as the app shows it now (every scene parameter, camera included)."""
        values = tuple((p.name, float(params[p.name])) for p in BY_NAME.values() if p.scene)
        return cls(str(params["object"]), str(params["background"]), values, custom_glsl)

    def with_values(self, **values: float) -> "SceneSpec":
        merged = dict(self.values)
        merged.update({k: float(v) for k, v in values.items()})
        return SceneSpec(self.object, self.background, tuple(merged.items()), self.custom_glsl)

    def check(self) -> None:
        """Fail early (ParamError) on an unknown parameter or a value out of range."""
        state = ParamState()
        state.update(dict(self.values))


@dataclass(frozen=True)
class ProbeJob:
    """What to compute at every point of a sweep.

    ``models``: registry names (``NAME`` or ``NAME@ITERATION``) or ``py:module:callable``
    (a function returning a ``nets.classifier.Classifier``-like module: tests, custom
    models). ``layer``: a layer of the first model (others use their layer at the same
    relative depth); ``channels``: whose mean activation to keep. ``top``: classes kept
    per model. ``keep_logits``: all logits (float32) per point. ``thumb``: side of a
    thumbnail of the network input kept per point (0: none). ``batch``: images per
    forward pass; 4 costs MobileNetV2 on one CPU thread ~40 % less per image than 16
    (activations stay in cache; docs/sweeps.md).
    """
    scene: SceneSpec = field(default_factory=SceneSpec)
    models: tuple[str, ...] = ("mobilenet_v2",)
    layer: str | None = None
    channels: tuple[int, ...] = ()
    top: int = 5
    keep_logits: bool = False
    thumb: int = 0
    batch: int = 4

    def __post_init__(self):
        if not self.models:
            raise ParamError("a probe needs at least one model")
        if self.channels and not self.layer:
            raise ParamError("channels need a layer (--layer)")
        if not 1 <= self.top <= 1000:
            raise ParamError(f"top {self.top}: choose 1..1000")
        if not 0 <= self.thumb <= 224:
            raise ParamError(f"thumbnail size {self.thumb}: choose 0..224")
        if not 1 <= self.batch <= 1024:
            raise ParamError(f"batch {self.batch}: choose 1..1024")
        if any(c < 0 for c in self.channels):
            raise ParamError(f"channels {list(self.channels)}: channel numbers start at 0")

    def check(self) -> None:
        """Fail early (ParamError) on a bad scene, a model without weights, a layer the
        first model does not have, or a channel the layer does not have (in any model)."""
        self.scene.check()
        from game.batch.sweep.checks import check_models

        check_models(self)


@dataclass
class PointResult:
    """One grid point: its values, per model the top classes, channel means, logits."""
    index: int
    values: dict
    top: dict[str, list[dict]]                 # model label -> [{index, label, logit, prob}]
    channels: dict[str, list[float]] = field(default_factory=dict)  # model label -> means
    layers: dict[str, str] = field(default_factory=dict)             # model label -> layer used
    logits: dict[str, np.ndarray] = field(default_factory=dict)      # model label -> (classes,)
    thumb: np.ndarray | None = None            # (thumb, thumb, 3) uint8


def model_label(spec: str) -> str:
    """A short name for a model spec: ``NAME[@IT]`` as is, ``py:module:fn`` -> ``fn``."""
    return spec.rsplit(":", 1)[-1] if spec.startswith("py:") else spec


def point_key(point: dict) -> tuple:
    """Sort key that groups points by object and background (fewer scene loads)."""
    return tuple(str(point.get(k, "")) for k in POINT_DISCRETE)
