"""Where weights files live on this machine, and short ids for them. Nothing here downloads.

Searched, in this order:

1. the user weights folder: ``$PERTURBER_WEIGHTS_DIR``, default ``~/.cache/perturber/weights``;
2. torch's hub cache, ``torch.hub.get_dir()/checkpoints`` (``$TORCH_HOME/hub/checkpoints``),
   where torchvision and lucent keep the files they once downloaded.

Intermediate training checkpoints of a registered model ``NAME`` are files
``NAME_iter<N>.<ext>`` in the user weights folder (N = training iteration).
"""
import hashlib
import importlib.util
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import torch

WEIGHTS_DIR_ENV = "PERTURBER_WEIGHTS_DIR"
DEFAULT_WEIGHTS_DIR = Path("~/.cache/perturber/weights")
WEIGHTS_SUFFIXES = r"(?:pth|pt|pth\.tar|ckpt|bin|safetensors)"
ID_LENGTH = 12


def package_file(package: str, relative: str) -> Path | None:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / relative


def user_weights_dir() -> Path:
    return Path(os.environ.get(WEIGHTS_DIR_ENV) or DEFAULT_WEIGHTS_DIR).expanduser()


def hub_checkpoints_dir() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints"


def weights_dirs() -> list[Path]:
    return [user_weights_dir(), hub_checkpoints_dir()]


def _files(folder: Path) -> list[str]:
    try:
        return sorted(p.name for p in folder.iterdir() if p.is_file())
    except OSError:  # absent or unreadable folder: nothing there
        return []


def find_weights(patterns: Iterable[str], dirs: Iterable[Path] | None = None) -> Path | None:
    """The first file whose name fully matches one of the regexes ``patterns``.

    Patterns are tried in order (put the preferred file first), each in every folder of
    ``dirs`` (default ``weights_dirs()``); within a folder, names sort alphabetically.
    """
    dirs = list(weights_dirs() if dirs is None else dirs)
    listing = {d: _files(d) for d in dirs}
    for pattern in patterns:
        regex = re.compile(pattern)
        for d in dirs:
            for name in listing[d]:
                if regex.fullmatch(name):
                    return d / name
    return None


def iteration_files(name: str, folder: Path | None = None) -> dict[int, Path]:
    """Training iteration -> file, for files ``NAME_iter<N>.<ext>`` in the user weights folder."""
    folder = user_weights_dir() if folder is None else folder
    regex = re.compile(rf"{re.escape(name)}_iter(\d+)\.{WEIGHTS_SUFFIXES}")
    found = {}
    for file in _files(folder):
        match = regex.fullmatch(file)
        if match and int(match.group(1)) > 0:
            found.setdefault(int(match.group(1)), folder / file)
    return found


@lru_cache(maxsize=256)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_id(path, length: int = ID_LENGTH) -> str:
    """The first ``length`` hex digits of the file's sha256: a stable id for caches.

    Remembered per (path, modification time, size), so asking again is cheap and a
    rewritten file gets a new id.
    """
    path = Path(path).resolve()
    stat = path.stat()
    return _sha256(str(path), stat.st_mtime_ns, stat.st_size)[:length]
