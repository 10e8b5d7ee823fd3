"""Where the repository's own folders are: the root, the shaders and the disk caches."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHADER_DIR = REPO_ROOT / "shaders"


def cache_dir(name: str) -> Path:
    """``$PERTURBER_CACHE/<name>`` when that is set (tests, CLI), else ``<repo>/cache/<name>``."""
    root = os.environ.get("PERTURBER_CACHE")
    return (Path(root) if root else REPO_ROOT / "cache") / name
