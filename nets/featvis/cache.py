"""Finished feature visualisations on disk: one PNG plus a JSON sidecar per key.

    cache = FeatureVisCache()                     # <repo>/cache/featvis/
    key = CacheKey("mobilenet_v2@b0353104", "block13", 42, naive=False, size=128, steps=256)
    image = cache.get(key)                        # (H, W, 3) float32 in [0, 1], or None
    cache.put(key, image, {"seconds": 9.1})

Images shipped with Perturber (``SHIPPED``: class visualisations of what the bundled
models see in the default scene, made by ``perturber featvis``) are found as if cached;
new ones are always written under ``root``.

Layout: ``<root>/<model>/<layer>/<channel>-<fft|naive>-<size>px-<steps>steps-seed<seed>.png``
and the same name with ``.json`` (the full key, when it was made, whatever the caller
adds). Both files are written to a temporary name and renamed into place, the sidecar
last: an entry counts only once its sidecar exists and names exactly this key, so a
half-written entry or two ids that map to the same folder name are a miss, never a
wrong image. Needs no lucent: an app can show cached images without it.
"""
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "cache" / "featvis"
SHIPPED = Path(__file__).resolve().parent / "shipped"   # read-only, same layout
_SAFE = re.compile(r"[A-Za-z0-9_@+-][A-Za-z0-9_.@+-]{0,79}")


@dataclass(frozen=True)
class CacheKey:
    model: str    # network and weights, e.g. "mobilenet_v2@b0353104"
    layer: str    # tappable layer, or "logit"
    channel: int  # channel of the layer, or class index for "logit"
    naive: bool   # pixel parameterisation instead of Fourier + decorrelated colour
    size: int
    steps: int
    seed: int = 0

    @property
    def objective(self) -> str:
        return f"{self.layer}:{self.channel}"

    def relative_path(self) -> Path:
        name = (f"{self.channel}-{'naive' if self.naive else 'fft'}-{self.size}px-"
                f"{self.steps}steps-seed{self.seed}.png")
        return Path(_folder_name(self.model)) / _folder_name(self.layer) / name


class FeatureVisCache:
    def __init__(self, root: str | os.PathLike | None = None, shipped: Path | None = SHIPPED):
        self.root = Path(root) if root is not None else DEFAULT_ROOT
        self.shipped = shipped

    def path(self, key: CacheKey) -> Path:
        """Where the PNG of ``key`` is: under ``root``, else the shipped one; where ``put``
        writes it when neither exists."""
        own = self.root / key.relative_path()
        if self.shipped is not None and not _sidecar(own).exists():
            shipped = self.shipped / key.relative_path()
            if _sidecar(shipped).exists():
                return shipped
        return own

    def get(self, key: CacheKey) -> np.ndarray | None:
        """The cached image, (H, W, 3) float32 in [0, 1]; None when missing or unreadable."""
        if self.info(key) is None:
            return None
        try:
            with Image.open(self.path(key)) as png:
                pixels = np.asarray(png.convert("RGB"))
        except OSError:
            return None
        return pixels.astype(np.float32) / 255.0

    def info(self, key: CacheKey) -> dict | None:
        """The sidecar of ``key`` (key, created, and what ``put`` was given); None if absent."""
        try:
            data = json.loads(_sidecar(self.path(key)).read_text())
        except (OSError, ValueError):
            return None
        return data if data.get("key") == asdict(key) else None

    def put(self, key: CacheKey, image: np.ndarray, info: dict | None = None) -> Path:
        """Store ``image`` ((H, W, 3), float in [0, 1] or uint8) under ``key``; its PNG path."""
        pixels = to_uint8(image)
        path = self.root / key.relative_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, lambda f: Image.fromarray(pixels).save(f, format="PNG"))
        sidecar = {"key": asdict(key), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                   "shape": list(pixels.shape), **(info or {})}
        text = json.dumps(sidecar, indent=1, sort_keys=True).encode()
        _write_atomically(_sidecar(path), lambda f: f.write(text))
        return path


def _folder_name(part: str) -> str:
    """``part`` if it is a safe file name, else a readable version plus a hash of it."""
    if _SAFE.fullmatch(part):
        return part
    readable = re.sub(r"[^A-Za-z0-9_.@+-]", "_", part).lstrip(".")[:40]
    return f"{readable}-{hashlib.sha1(part.encode()).hexdigest()[:10]}"


def _sidecar(png: Path) -> Path:
    return png.with_suffix(".json")


def to_uint8(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) image, got shape {image.shape}")
    if image.dtype == np.uint8:
        return image
    if not np.isfinite(image).all():
        raise ValueError("image has NaN or infinite values")
    return np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)


def _write_atomically(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
