"""Natural photos that ship inside installed packages: scikit-image's ``skimage.data``.

Sources and licences: scikit-image's data files (``skimage/data/README.txt``): public
domain or CC0 except where noted there (e.g. ``astronaut``: NASA, public domain;
``chelsea``/``cat``: Stefan van der Walt, CC0; ``coffee``: Rachel Michetti, CC0;
``rocket``: SpaceX, CC0). Only the files that are packaged (no download) are used.

Split: ``TRAIN_PHOTOS`` are used in training and in the texture bank; ``HELDOUT_PHOTOS``
never are (the evaluation measures on them). Grey images are repeated to RGB.
"""
from functools import lru_cache

import numpy as np

TRAIN_PHOTOS = ("astronaut", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry",
                "retina", "camera", "moon", "text", "stereo_motorcycle", "colorwheel", "page")
HELDOUT_PHOTOS = ("chelsea", "coins", "clock", "cell")
TEXTURE_PHOTOS = ("brick", "grass", "gravel")   # grey textures: tinted in the texture bank


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
