"""The environment variables the app reads, checked before a command starts.

- ``PERTURBER_CACHE``: the folder of the disk caches (``game.core.paths``); it must be a
  folder where it exists.
- ``PERTURBER_TORCH_THREADS``: torch's threads in the app (``torch_threads``).
- ``PERTURBER_INPUT_MAP`` is read, and checked, with the gamepad's input map.
"""
from __future__ import annotations

import os
from pathlib import Path

from game.core.params import ParamError

MAX_TORCH_THREADS = 256


def torch_threads() -> int | None:
    """``PERTURBER_TORCH_THREADS`` as a number of threads, None when unset."""
    text = os.environ.get("PERTURBER_TORCH_THREADS", "").strip()
    if not text:
        return None
    try:
        threads = int(text)
    except ValueError:
        threads = 0
    if not 1 <= threads <= MAX_TORCH_THREADS:
        raise ParamError(f"PERTURBER_TORCH_THREADS={text!r}: give a whole number from 1 to "
                         f"{MAX_TORCH_THREADS}")
    return threads


def check() -> None:
    """ParamError on a variable that cannot be used."""
    cache = os.environ.get("PERTURBER_CACHE")
    if cache and Path(cache).exists() and not Path(cache).is_dir():
        raise ParamError(f"PERTURBER_CACHE={cache} is not a folder")
    torch_threads()
