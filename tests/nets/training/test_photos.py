"""The packaged photos: every picture scikit-image ships has a role, and the held-out ones
never train."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nets.training import photos

PICTURE_SUFFIXES = {".png", ".jpg", ".gif", ".tif"}


def thumb(image: np.ndarray) -> np.ndarray:
    """A 24 x 24 grey thumbnail: the same picture at any size or JPEG quality is close."""
    return np.asarray(Image.fromarray(image[..., :3]).convert("L").resize((24, 24), Image.BILINEAR),
                      float)


def same_picture(a: np.ndarray, b: np.ndarray) -> bool:
    ta, tb = thumb(a), thumb(b)
    return min(np.abs(ta - tb).mean(), np.abs(ta - (255 - tb)).mean()) < 4   # horse: inverted


def test_training_and_heldout_photos_are_disjoint_even_under_other_names():
    training = photos.all_training_photos()
    assert len(set(training)) == len(training)
    assert not set(training) & set(photos.HELDOUT_PHOTOS)
    assert set(photos.TRAIN_PHOTOS) <= set(training)
    held = [photos.photo(n) for n in photos.HELDOUT_PHOTOS]
    for name in training:
        assert not any(same_picture(photos.photo(name), h) for h in held), name
    assert same_picture(photos.photo("cat"), photos.photo("chelsea"))   # why "cat" is not used


def test_every_packaged_picture_is_used_held_out_or_said_why_not():
    import skimage.data

    folder = Path(skimage.data.__file__).parent
    files = sorted(p for p in folder.iterdir() if p.suffix in PICTURE_SUFFIXES)
    assert len(files) > 20
    known = {n: photos.photo(n) for n in photos.all_training_photos() + photos.HELDOUT_PHOTOS}
    for path in files:
        if path.name in photos.NOT_USED:
            continue
        picture = np.asarray(Image.open(path).convert("RGB"))
        assert any(p.shape == picture.shape and same_picture(p, picture) for p in known.values()), \
            f"{path.name}: a packaged picture that is neither trained on, held out nor in NOT_USED"


@pytest.mark.parametrize("name", photos.all_training_photos())
def test_every_training_photo_loads_as_rgb_bytes(name):
    image = photos.photo(name)
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
    assert min(image.shape[:2]) >= 100 and image.std() > 5   # not blank
