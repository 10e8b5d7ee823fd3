"""How varied the random training scenes are: camera ranges, lighting, backgrounds, photos.

``STANDARD`` is the variety of the evaluation's held-out renders and of ``perturber train``:
its scene plans are draw for draw those of every dataset made before varieties existed, so
the held-out renders stay what was measured and cached renders stay valid. ``WIDE`` is
``perturber train-pack``'s default: steeper and flatter views, closer and farther cameras,
more roll, a light rig drawn per scene, backgrounds also from the texture bank and plain
studio colours, every packaged training photo, twice the procedural textures.

Draws that only a wider variety makes (the light rig) come from their own generator, so
switching them on leaves every other value of a plan as it was.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np

BACKGROUND_KINDS = ("named", "photo", "noise", "bank", "plain")
LIGHT_FIELDS = ("azimuth", "elevation", "key", "warmth", "fill", "rim", "ambient")


@dataclass(frozen=True)
class Variety:
    yaw: tuple[float, float] = (-180.0, 180.0)       # degrees
    pitch: tuple[float, float] = (-45.0, 10.0)       # degrees, < 0 looks down
    distance: tuple[float, float] = (0.75, 1.5)      # x the object's own camera distance
    roll: float = 8.0                                # standard deviation, degrees
    lighting: str = "fixed"                          # "fixed": the app's lights; "random": a rig per scene
    backgrounds: tuple[tuple[str, float], ...] = (("named", 0.55), ("photo", 0.3), ("noise", 0.15))
    photos: str = "standard"                         # "standard": TRAIN_PHOTOS; "all": all_training_photos()
    noise_textures: int = 12                         # procedural textures in the texture bank
    swap_background: float = 0.7                     # p that a swapped twin's background is a bank image

    def __post_init__(self):
        for name in ("yaw", "pitch", "distance"):
            lo, hi = getattr(self, name)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
                raise ValueError(f"{name} range must be LO,HI with LO <= HI, not {lo:g},{hi:g}")
        if not (-180 <= self.yaw[0] and self.yaw[1] <= 180):
            raise ValueError("yaw must lie in -180..180")
        if not (-89 <= self.pitch[0] and self.pitch[1] <= 89):
            raise ValueError("pitch must lie in -89..89")
        if self.distance[0] <= 0:
            raise ValueError("distance factors must be > 0")
        if not 0 <= self.roll <= 90:
            raise ValueError("roll (a standard deviation in degrees) must be in 0..90")
        if self.lighting not in ("fixed", "random"):
            raise ValueError(f"lighting must be fixed or random, not {self.lighting!r}")
        if self.photos not in ("standard", "all"):
            raise ValueError(f"photos must be standard or all, not {self.photos!r}")
        kinds = [k for k, _ in self.backgrounds]
        unknown = sorted(set(kinds) - set(BACKGROUND_KINDS))
        if unknown or len(set(kinds)) != len(kinds):
            raise ValueError(f"backgrounds: each of {', '.join(BACKGROUND_KINDS)} at most once "
                             f"(not {', '.join(unknown) or 'repeated'})")
        if not kinds or any(not (w >= 0 and math.isfinite(w)) for _, w in self.backgrounds) \
                or sum(w for _, w in self.backgrounds) <= 0:
            raise ValueError("backgrounds need weights >= 0, at least one of them > 0")
        if not 0 <= self.noise_textures <= 1000 or not 0 <= self.swap_background <= 1:
            raise ValueError("noise textures must be in 0..1000 and swap background in 0..1")

    def photo_names(self) -> tuple[str, ...]:
        from nets.training.photos import TRAIN_PHOTOS, all_training_photos

        return TRAIN_PHOTOS if self.photos == "standard" else all_training_photos()

    def describe(self) -> dict:
        """The settings as JSON values (what a pack's meta records)."""
        return json.loads(json.dumps(dataclasses.asdict(self)))

    def key(self) -> str:
        """"" for ``STANDARD`` (its datasets keep their names), else a short hash of the settings."""
        if self == STANDARD:
            return ""
        return hashlib.sha1(json.dumps(self.describe(), sort_keys=True).encode()).hexdigest()[:10]

    def background(self, rng: np.random.Generator, counts: dict[str, int]) -> tuple[str, object]:
        """(kind, index): a kind drawn by weight, then an index uniformly within it;
        ``counts`` says how many there are of each kind."""
        kinds = [k for k, _ in self.backgrounds]
        cum = np.cumsum([w for _, w in self.backgrounds]) / sum(w for _, w in self.backgrounds)
        r = rng.random()
        kind = kinds[min(int(np.searchsorted(cum, r, side="right")), len(kinds) - 1)]
        return kind, int(rng.integers(counts[kind]))


STANDARD = Variety()
WIDE = Variety(pitch=(-70.0, 20.0), distance=(0.65, 1.7), roll=12.0, lighting="random",
               backgrounds=(("named", 3.0), ("photo", 3.0), ("bank", 2.0), ("noise", 1.0),
                            ("plain", 1.0)),
               photos="all", noise_textures=24)
PRESETS = {"standard": STANDARD, "wide": WIDE}


def random_light(rng: np.random.Generator) -> dict[str, float]:
    """A light rig's values: the key light's direction (degrees, world space), strength and
    warmth (> 0 warmer, < 0 cooler), the fill and rim lights' strengths, the ambient level."""
    return {"azimuth": float(rng.uniform(-180, 180)), "elevation": float(rng.uniform(10, 80)),
            "key": float(rng.uniform(0.4, 1.2)), "warmth": float(rng.uniform(-0.2, 0.2)),
            "fill": float(rng.uniform(0.1, 0.45)), "rim": float(rng.uniform(0.0, 0.45)),
            "ambient": float(rng.uniform(0.15, 0.45))}


def light_rig(light: dict[str, float]):
    """(((direction, colour) x 3 for key, fill, rim), ambient) for ``Scene.set_lights``: the
    fill opposite the key and lower, tinted the other way; the rim behind, from above."""
    def towards(azimuth, elevation):
        a, e = math.radians(azimuth), math.radians(elevation)
        return (math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e))

    w = light["warmth"]
    key = tuple(light["key"] * c for c in (1 + w, 1.0, 1 - w))
    fill = tuple(light["fill"] * c for c in (1 - w / 2, 1.0, 1 + w / 2))
    rim = (light["rim"],) * 3
    return ((towards(light["azimuth"], light["elevation"]), key),
            (towards(light["azimuth"] + 150, 20), fill),
            (towards(light["azimuth"] + 180, 50), rim)), light["ambient"]
