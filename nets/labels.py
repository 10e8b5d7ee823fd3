"""ImageNet-1k class names, offline (torchvision ships them in its weights metadata)."""
from functools import lru_cache

from torchvision.models import MobileNet_V2_Weights

NUM_CLASSES = 1000


@lru_cache(maxsize=1)
def names() -> tuple[str, ...]:
    """All 1000 class names, index order (reading the metadata downloads nothing)."""
    return tuple(MobileNet_V2_Weights.IMAGENET1K_V1.meta["categories"])


def label(index: int) -> str:
    """The name of class ``index`` (0..999)."""
    if not 0 <= index < NUM_CLASSES:
        raise IndexError(f"ImageNet class index {index} is outside 0..{NUM_CLASSES - 1}")
    return names()[index]


def search(text: str) -> list[tuple[int, str]]:
    """Classes whose name contains ``text`` (case-insensitive), as (index, name)."""
    needle = text.strip().lower()
    return [(i, n) for i, n in enumerate(names()) if needle in n.lower()]
