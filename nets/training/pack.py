"""A training pack: every image a fine-tune needs, JPEG-compressed in one ``.npz`` (no pickle).

Made on a machine that can render (``perturber train-pack``), read on one that only has
torch (``python -m nets.training.batched``, e.g. a GPU box without Panda3D). Layout of
the ``.npz``: for each group ``G`` (e.g. ``clean``, ``swapped``, ``photos``, ``textures``)
``G.jpeg`` (all JPEG files of the group, concatenated, uint8) and ``G.offsets``
(int64, N + 1 byte offsets); ``meta`` is a UTF-8 JSON document (uint8) with the pack's
provenance. Loaded with ``allow_pickle=False``.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

FORMAT = 1


class PackError(ValueError):
    """A file that is not a readable training pack."""


def encode(images, quality: int) -> tuple[np.ndarray, np.ndarray]:
    """(concatenated JPEG bytes, offsets) of a sequence of (H, W, 3) uint8 images."""
    from PIL import Image

    def one(img):
        buf = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(img[..., :3])).save(buf, "JPEG", quality=quality)
        return buf.getvalue()

    with ThreadPoolExecutor() as pool:
        blobs = list(pool.map(one, images))
    offsets = np.zeros(len(blobs) + 1, np.int64)
    offsets[1:] = np.cumsum([len(b) for b in blobs])
    return np.frombuffer(b"".join(blobs), np.uint8).copy(), offsets


MAX_IMAGES = 200_000
MAX_SIDE = 2048  # pixels a side of one packed image


def decode(data: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    """The images of one group; ValueError for offsets or images that do not fit."""
    from PIL import Image

    if data.ndim != 1 or offsets.ndim != 1 or not np.issubdtype(offsets.dtype, np.integer):
        raise ValueError("image data and offsets must be 1-D, offsets whole numbers")
    if len(offsets) > MAX_IMAGES + 1 or len(offsets) < 1 or offsets[0] != 0 \
            or np.any(np.diff(offsets) <= 0) or offsets[-1] != len(data):
        raise ValueError("offsets do not cut the image data into images")

    def one(i):
        blob = data[offsets[i]:offsets[i + 1]].tobytes()
        try:
            im = Image.open(io.BytesIO(blob))
            if max(im.size) > MAX_SIDE:
                raise ValueError(f"image {i} is {im.size[0]}x{im.size[1]} (at most {MAX_SIDE} a side)")
            return np.asarray(im.convert("RGB"))
        except ValueError:
            raise
        except Exception as exc:  # PIL's many errors for a broken image
            raise ValueError(f"image {i} cannot be decoded ({exc})") from None

    with ThreadPoolExecutor() as pool:
        return list(pool.map(one, range(len(offsets) - 1)))


def write_pack(path, groups: dict, meta: dict, quality: int = 85) -> Path:
    """Write ``groups`` (name -> sequence of (H, W, 3) uint8 images) and ``meta`` to ``path``."""
    arrays = {}
    for name, images in groups.items():
        if "." in name:
            raise ValueError(f"group names may not contain '.': {name!r}")
        arrays[f"{name}.jpeg"], arrays[f"{name}.offsets"] = encode(images, quality)
    meta = {**meta, "format": FORMAT, "quality": quality,
            "groups": {k: len(v) for k, v in groups.items()}}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    path = Path(path)
    if path.exists() and not path.is_file():  # moving the pack onto it would replace it
        raise ValueError(f"{path} is not a regular file (a folder, device or pipe)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".npz", dir=path.parent)
    os.close(fd)
    try:
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_meta(path) -> dict:
    with _open(path) as z:
        return _meta(z, path)


def read_pack(path) -> tuple[dict[str, list[np.ndarray]], dict]:
    """(group -> list of (H, W, 3) uint8 images, meta)."""
    with _open(path) as z:
        meta = _meta(z, path)
        try:
            groups = {g: decode(z[f"{g}.jpeg"], z[f"{g}.offsets"]) for g in meta["groups"]}
        except (KeyError, ValueError, OSError, TypeError) as exc:
            raise PackError(f"{path}: damaged training pack ({exc})") from None
    return groups, meta


def _open(path):
    path = Path(path)
    if not path.is_file():
        raise PackError(f"{path}: no such training pack")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise PackError(f"{path}: not a training pack (.npz) ({exc})") from None


def _meta(z, path) -> dict:
    try:
        meta = json.loads(z["meta"].tobytes().decode())
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: not a training pack (no readable meta: {exc})") from None
    if not isinstance(meta, dict):
        raise PackError(f"{path}: not a training pack (its meta is not an object)")
    groups = meta.get("groups")
    if not isinstance(groups, dict) or not all(isinstance(g, str) and "." not in g for g in groups):
        raise PackError(f"{path}: damaged training pack (its meta names no image groups)")
    if meta.get("format") != FORMAT:
        raise PackError(f"{path}: pack format {meta.get('format')!r}, this code reads {FORMAT}")
    return meta
