"""Class names, offline: ImageNet-1k's (torchvision ships them in its weights metadata),
and ``ClassNames``, the names of one classifier's outputs (``class_names(model)``)."""
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ClassNames:
    """The names of a classifier's outputs in index order: ``own`` for a network with other
    outputs than the 1000 ImageNet-1k classes in torchvision's order (None: it has those)."""
    own: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return NUM_CLASSES if self.own is None else len(self.own)

    def label(self, index: int) -> str:
        """The name of output ``index``; IndexError outside 0..len - 1."""
        if self.own is None:
            return label(index)
        if not 0 <= index < len(self.own):
            raise IndexError(f"class index {index} is outside 0..{len(self.own) - 1}")
        return self.own[index]

    def search(self, text: str) -> list[tuple[int, str]]:
        """Outputs whose name contains ``text`` (case-insensitive), as (index, name)."""
        if self.own is None:
            return search(text)
        needle = text.strip().lower()
        return [(i, n) for i, n in enumerate(self.own) if needle in n.lower()]


IMAGENET = ClassNames()


def class_names(model) -> ClassNames:
    """The names ``model`` declares (``Classifier.classes``); ImageNet-1k's for any other
    module (a ``py:`` model of a sweep, a test's network)."""
    return getattr(model, "classes", IMAGENET)
