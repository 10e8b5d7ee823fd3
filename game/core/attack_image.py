"""Pure helpers of the PGD tool and `perturber attack` (numpy only, no Panda3D, no torch).

* ``image_eps``: the ``attack_eps`` parameter in units of the [0, 1] image (Linf is
  given in 1/255 steps: 8 means 8/255; L2 is given in image units already).
* ``composite``: what is shown and fed to the networks while an attack is active:
  Original Alpha fades the original to 50% grey, Attack Alpha fades the perturbation
  and Perturbation Gain amplifies it,
  ``grey + (original - grey) * original_alpha + perturbation * attack_alpha * gain``,
  clamped to [0, 1]. ``gain_factor`` turns the gain parameter (0 = auto) into the factor.
"""
from __future__ import annotations

import math

import numpy as np

from game.core.params import ParamError

GREY = 0.5
LINF_UNIT = 255.0  # Linf eps is given in 1/255 steps of the [0, 1] image
NORM_TITLES = {"l2": "L2", "linf": "Linf"}


def image_eps(norm: str, eps: float) -> float:
    """``attack_eps`` -> the radius of the ball in [0, 1]-image units."""
    if norm not in NORM_TITLES:
        raise ParamError(f"attack_norm={norm!r}: choose one of {', '.join(NORM_TITLES)}")
    eps = float(eps)
    if not math.isfinite(eps) or eps < 0:
        raise ParamError(f"attack_eps={eps!r} must be a finite number >= 0")
    return eps / LINF_UNIT if norm == "linf" else eps


def eps_label(norm: str) -> str:
    """The epsilon slider's label, naming the norm and the unit of its value (L2: the
    length of the perturbation of the [0, 1] image; Linf: steps of 1/255)."""
    return "Epsilon L2 norm" if norm == "l2" else "Epsilon Linf /255"


AUTO_PERCENTILE = 99  # auto gain: this percentile of |perturbation| reaches full contrast


def gain_factor(gain: float, perturbation: np.ndarray, attack_alpha: float = 1.0) -> float:
    """The factor the perturbation is multiplied by: ``gain``, or for ``gain`` 0 (auto)
    the one that brings the 99th percentile of its shown magnitude to 0.5, full contrast
    around grey (the largest 1 % clip: an L2 perturbation is a few strong pixels over
    many faint ones); 1 while the perturbation is still zero."""
    if gain > 0:
        return float(gain)
    size = np.abs(np.asarray(perturbation, dtype=np.float32)).ravel() * abs(float(attack_alpha))
    if not size.size:
        return 1.0
    peak = float(np.percentile(size, AUTO_PERCENTILE)) or float(size.max())
    return GREY / peak if peak > 0 else 1.0


def composite(original: np.ndarray, perturbation: np.ndarray, attack_alpha: float,
              original_alpha: float, gain: float = 1.0) -> np.ndarray:
    """(..., H, W) float images in [0, 1] -> the float32 composite in [0, 1]; ``gain``
    is the factor itself (see :func:`gain_factor`)."""
    original = np.asarray(original, dtype=np.float32)
    perturbation = np.asarray(perturbation, dtype=np.float32)
    out = GREY + (original - GREY) * np.float32(original_alpha) \
        + perturbation * np.float32(attack_alpha * gain)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """A float image in [0, 1] -> uint8 (rounded to the nearest level)."""
    return np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)


def chw_to_hwc(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(image).transpose(1, 2, 0))


def l2_linf(delta: np.ndarray) -> tuple[float, float]:
    """The L2 and Linf norms of a perturbation (all values together)."""
    d = np.asarray(delta, dtype=np.float64).ravel()
    return float(np.sqrt((d * d).sum())), float(np.abs(d).max(initial=0.0))
