"""The parts of lucent (``torch-lucent`` 0.1.8) we use, imported lazily, with their quirks handled.

We take lucent's image parameterisations (``param.spatial``), its colour-correlation
matrix (``param.color``), its transformation-robustness transforms (``transform``) and
its objectives, and run our own optimisation loop (see ``job.py``) instead of
``render.render_vis``: that loop cannot be stepped, hooks every submodule without
removing the hooks, adds its own ImageNet normalisation, and prints and shows images.
``render`` is never imported, so IPython and tqdm are not needed.

Quirks handled here:
- kornia >= 0.6 dropped the top-level ``kornia.get_rotation_matrix2d`` and
  ``kornia.warp_affine`` that ``transform.random_rotate`` looks up at call time; they
  are aliased from ``kornia.geometry.transform`` (added names only, nothing replaced).
- ``transform`` and ``param.spatial`` read a module-level ``device`` ("cuda:0" whenever
  CUDA exists), and ``transform``'s random transforms draw from numpy's global
  generator. ``using(device, rng)`` points both ``device`` globals at our model's device
  and lets ``transform`` draw from the job's own ``RandomState`` for the duration of a
  block, under a lock (so jobs on several threads take turns), then puts everything back;
  numpy's global generator is never touched.
- ``param.color`` picks its device the same way, inside a function: we apply lucent's
  colour matrix ourselves (``decorrelate_colour``) instead of calling it.
- ``random_rotate`` compares kornia's version as a string (``"0.10.0" < "0.4.0"``), so
  kornia 0.10 would get the pre-0.4 argument shapes: pyproject.toml caps kornia below 0.10.
"""
import threading
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Iterator

import numpy
import torch

INSTALL_HINT = ('pip install "kornia>=0.6,<0.10" decorator && '
                "pip install --no-deps torch-lucent==0.1.8  (scripts/dev.sh install does both)")


class FeatureVisUnavailable(ImportError):
    """lucent or one of the packages it imports is not installed."""


_lucent: SimpleNamespace | None = None


def _alias_kornia_names(kornia) -> None:
    from kornia.geometry import transform as kgt
    for name in ("get_rotation_matrix2d", "warp_affine"):
        if not hasattr(kornia, name):
            setattr(kornia, name, getattr(kgt, name))


def lucent() -> SimpleNamespace:
    """lucent's ``spatial``, ``color``, ``transform`` and ``objectives`` modules, ready to use.

    Raises ``FeatureVisUnavailable`` naming the missing package and how to install it.
    """
    global _lucent
    if _lucent is None:
        try:
            import kornia
            _alias_kornia_names(kornia)
            from lucent.optvis import objectives, transform
            from lucent.optvis.param import color, spatial
        except ImportError as exc:
            raise FeatureVisUnavailable(
                f"feature visualisation needs lucent, but importing it failed ({exc}). "
                f"Install with: {INSTALL_HINT}") from exc
        _lucent = SimpleNamespace(objectives=objectives, transform=transform,
                                  color=color, spatial=spatial)
    return _lucent


def available() -> bool:
    """Whether lucent and what it needs import."""
    try:
        lucent()
    except FeatureVisUnavailable:
        return False
    return True


_globals_lock = threading.RLock()


class _NumpyWith:
    """numpy as lucent's ``transform`` sees it, except that ``.random`` is a given generator."""

    def __init__(self, random: numpy.random.RandomState):
        self.random = random

    def __getattr__(self, name):
        return getattr(numpy, name)


@contextmanager
def using(device: torch.device, rng: numpy.random.RandomState) -> Iterator[None]:
    """Inside the block lucent works on ``device`` and its transforms draw from ``rng``."""
    lu = lucent()
    with _globals_lock:
        saved = (lu.transform.device, lu.spatial.device, lu.transform.np)
        lu.transform.device = lu.spatial.device = device
        lu.transform.np = _NumpyWith(rng)
        try:
            yield
        finally:
            lu.transform.device, lu.spatial.device, lu.transform.np = saved


def decorrelate_colour(image: torch.Tensor) -> torch.Tensor:
    """Map (B, 3, H, W) from lucent's decorrelated colour space to RGB (before the sigmoid)."""
    matrix = torch.as_tensor(lucent().color.color_correlation_normalized.T,
                             dtype=image.dtype, device=image.device)
    return (image.permute(0, 2, 3, 1) @ matrix).permute(0, 3, 1, 2)
