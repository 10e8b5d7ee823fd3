"""Image files -> textures the renderer can use: 8-bit, RGB or single channel, and
square power-of-two (so mip-level blurs are exact). 16-bit, greyscale, palette and
alpha images are all converted; unreadable files raise AssetError."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from models3d.mesh import AssetError

MAX_PIXELS = 64_000_000  # ~8k x 8k: bigger is refused before decoding


def _open(path: Path):
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise AssetError(f"texture/image file not found: {path}")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        im = Image.open(path)
        if im.width * im.height > MAX_PIXELS:
            raise AssetError(f"{path.name} is {im.width}x{im.height}: too large (max {MAX_PIXELS} pixels)")
        im.load()
        return im
    except AssetError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise AssetError(f"cannot read image {path.name}: {exc}") from None


def to_8bit(im, mode: str):
    """Any PIL image -> 8-bit ``mode`` ("RGB" or "L"); 16-bit and float are rescaled."""
    from PIL import Image

    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        if im.mode == "F":
            lo, hi = float(arr.min()), float(arr.max())
            arr = (arr - lo) / (hi - lo or 1.0)
        else:
            arr = arr / (65535.0 if arr.max() > 255 else 255.0)
        im = Image.fromarray(np.clip(arr * 255.0, 0, 255).astype(np.uint8), "L")
    if mode == "RGB" and (im.mode in ("RGBA", "LA", "PA") or
                          (im.mode == "P" and "transparency" in im.info)):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (128, 128, 128))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if mode == "L" and im.mode in ("RGBA", "LA", "PA"):
        return im.convert("RGBA").getchannel("A")  # an alpha map stored with alpha
    return im.convert(mode)


def pot_size(w: int, h: int, cap: int = 2048) -> int:
    side = max(w, h, 4)
    return min(cap, 1 << int(np.ceil(np.log2(side))))


def load_texture(path: Path, mode: str = "RGB", size: int | None = None) -> np.ndarray:
    """An image file as a square power-of-two uint8 array ((S, S, 3) or (S, S))."""
    from PIL import Image

    im = to_8bit(_open(Path(path)), mode)
    s = size or pot_size(*im.size)
    return np.asarray(im.resize((s, s), Image.LANCZOS), dtype=np.uint8)


def load_square_image(path: Path, size: int) -> np.ndarray:
    """A background: centre-cropped to a square, then resized to ``size``."""
    from PIL import Image

    im = to_8bit(_open(Path(path)), "RGB")
    w, h = im.size
    if w < 2 or h < 2:
        raise AssetError(f"{Path(path).name} is too small ({w}x{h})")
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    im = im.crop((left, top, left + side, top + side)).resize((size, size), Image.LANCZOS)
    return np.asarray(im, dtype=np.uint8)
