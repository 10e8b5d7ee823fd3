"""Post "Patch Shuffling": k x k cells in a seeded random order (after Zhang & Zhu)."""
import numpy as np
from panda3d.core import PTA_int

from game.render.post.base import Effect

MAX_K = 8


def permutation(k: int, seed: int = 0) -> np.ndarray:
    """The cell order for a k x k grid: output cell i shows input cell perm[i].

    Seeded per k so that a given k always gives the same picture (reproducible
    screenshots, recordings and sweeps). k = 1 is the identity.
    """
    if not 1 <= k <= MAX_K:
        raise ValueError(f"patch_shuffle k={k} outside 1..{MAX_K}")
    if k == 1:
        return np.zeros(1, dtype=np.int32)
    rng = np.random.default_rng(seed * 1000 + k)
    perm = rng.permutation(k * k)
    while np.array_equal(perm, np.arange(k * k)):  # a shuffle must shuffle
        perm = rng.permutation(k * k)
    return perm.astype(np.int32)


class PatchShuffle(Effect):
    params = ("patch_shuffle",)
    identity = {"patch_shuffle": 1.0}

    def __init__(self, ctx, source, seed: int = 0):
        self.seed = seed
        self.pass_ = ctx.add("post-patch-shuffle", "patch_shuffle.frag.glsl", {"src": source})
        self.output = self.pass_.texture
        self.passes = self.inputs = [self.pass_]

    def apply(self, values):
        k = int(values["patch_shuffle"])
        perm = np.zeros(MAX_K * MAX_K, dtype=np.int32)
        p = permutation(k, self.seed)
        perm[: len(p)] = p
        self.pass_.set(patch_shuffle=k, perm=PTA_int(perm.tolist()))
