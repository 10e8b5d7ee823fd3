"""Natural photos that ship inside installed packages: scikit-image's ``skimage.data``.

Sources and licences: scikit-image's data files (``skimage/data/README.txt``): public
domain or CC0 except where noted there (e.g. ``astronaut``: NASA, public domain;
``chelsea``/``cat``: Stefan van der Walt, CC0; ``coffee``: Rachel Michetti, CC0;
``rocket``: SpaceX, CC0). Only the files that are packaged (no download) are used.

Split: ``TRAIN_PHOTOS`` are used in training and in the texture bank (the standard set of
the CPU recipe and of the renders' photo backgrounds); ``HELDOUT_PHOTOS`` never are (the
evaluation measures on them; ``cat`` is ``chelsea`` under another name). ``all_training_photos``
adds the other packaged pictures (``MORE_PHOTOS``, ``TEXTURE_PHOTOS``): every picture file
scikit-image packages is one of these or in ``NOT_USED`` (with the reason). Grey images are
repeated to RGB.
"""
from functools import lru_cache

import numpy as np

TRAIN_PHOTOS = ("astronaut", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry",
                "retina", "camera", "moon", "text", "stereo_motorcycle", "colorwheel", "page")
HELDOUT_PHOTOS = ("chelsea", "coins", "clock", "cell")
TEXTURE_PHOTOS = ("brick", "grass", "gravel")   # grey textures: tinted in the texture bank
MORE_PHOTOS = ("horse", "logo", "microaneurysms", "checkerboard", "shepp_logan_phantom")
NOT_USED = {   # packaged picture files of scikit-image that no loader above reads
    "chessboard_RGB.png": "an RGB copy of checkerboard",
    "motorcycle_right.png": "the right eye of stereo_motorcycle (its left eye is used)",
    "no_time_for_that_tiny.gif": "an animated GIF for scikit-image's own I/O tests",
    "multipage.tif": "a multi-page TIFF for scikit-image's own I/O tests",
    "multipage_rgb.tif": "a multi-page TIFF for scikit-image's own I/O tests",
    "lfw_subset.npy": "200 face thumbnails of 25 x 25 pixels: too small to crop, and as 200 "
                      "photos they would take most photo draws",
}


def _rgb(a) -> np.ndarray:
    if isinstance(a, tuple):
        a = a[0]
    a = np.asarray(a)
    if a.dtype != np.uint8:
        a = (np.clip(a, 0, 1) * 255).astype(np.uint8)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    return np.ascontiguousarray(a[..., :3])


@lru_cache(maxsize=None)
def photo(name: str) -> np.ndarray:
    """(H, W, 3) uint8 of the packaged image ``name``."""
    import skimage.data

    return _rgb(getattr(skimage.data, name)())


def photos(names) -> list[np.ndarray]:
    return [photo(n) for n in names]


def all_training_photos() -> tuple[str, ...]:
    """Every packaged picture that training may use: the standard set, then the others."""
    return TRAIN_PHOTOS + MORE_PHOTOS + TEXTURE_PHOTOS
