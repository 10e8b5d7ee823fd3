"""Plausible fake inference results and pictures for the view tests (numpy only)."""
from __future__ import annotations

import zlib
from types import SimpleNamespace

import numpy as np

from game.core.results import InferenceResult, SlotOutput

TOP5_M1 = [(281, "tabby", 0.431), (282, "tiger cat", 0.287), (285, "Egyptian cat", 0.154),
           (287, "lynx", 0.031), (478, "carton", 0.012)]
TOP5_M2 = [(282, "tiger cat", 0.512), (281, "tabby", 0.206), (285, "Egyptian cat", 0.098),
           (292, "tiger", 0.022), (728, "plastic bag", 0.009)]
TOP5_ED = [(285, "Egyptian cat", 0.301), (281, "tabby", 0.233), (282, "tiger cat", 0.140),
           (283, "Persian cat", 0.071), (357, "toilet tissue, toilet paper, bathroom tissue", 0.020)]
TITLES = {"model1": "MobileNetV2 \u00b7 Standard", "model2": "EfficientNet-Lite0 \u00b7 Standard",
          "edited": "Edited \u00b7 mix of 1 and 2"}
MODELS = {"model1": "mobilenet_v2", "model2": "efficientnet_lite0", "edited": "edited"}
LAYERS = {"model1": "block13", "model2": "blocks.5", "edited": "block13"}


def smooth(rng, c: int, size: int, cells: int = 4) -> np.ndarray:
    """(c, size, size) smooth random fields in about [-2, 2] (blurred upsampled noise)."""
    coarse = rng.normal(size=(c, cells + 1, cells + 1)).astype(np.float32)
    t = np.linspace(0, cells, size)
    i0 = np.minimum(t.astype(int), cells - 1)
    f = (t - i0)[None, :]
    rows = coarse[:, i0] * (1 - f[..., None]) + coarse[:, i0 + 1] * f[..., None]
    return np.ascontiguousarray(rows[:, :, i0] * (1 - f) + rows[:, :, i0 + 1] * f, np.float32)


def top(entries):
    return [{"index": i, "label": lab, "logit": float(np.log(p) + 5), "prob": p}
            for i, lab, p in entries]


def output(slot: str, acts: np.ndarray | None = None, tops=None, groups=None, layer_std=1.0,
           checkpoint: int = 0) -> SlotOutput:
    return SlotOutput(slot=slot, model=MODELS[slot], title=TITLES[slot], layer=LAYERS[slot],
                      activations=acts, layer_std=layer_std, top=tops, groups=groups or {},
                      checkpoint=checkpoint)


def result(*outputs: SlotOutput, serial: int = 1) -> InferenceResult:
    return InferenceResult(frame_serial=serial, params_version=0,
                           image=np.zeros((224, 224, 3), np.uint8), outputs=tuple(outputs))


def plausible(seed: int = 0, size: int = 14, channels: int = 64, slots=("model1", "model2")):
    """Outputs of up to three slots with smooth activations, groups and a cat top-5."""
    rng = np.random.default_rng(seed)
    tops = {"model1": TOP5_M1, "model2": TOP5_M2, "edited": TOP5_ED}
    outs = []
    for k, slot in enumerate(slots):
        acts = smooth(rng, channels, size) + rng.normal(0.2, 0.6, (channels, 1, 1)).astype(np.float32)
        groups = {"cat": (12 + k, 40, 7, 33, 2, 51, 19, 60), "dog": (3, 5, 8, 13, 21, 34, 55, 1)}
        outs.append(output(slot, acts, top(tops[slot]), groups, float(acts.std())))
    return result(*outs)


def picture(key, size: int = 64) -> np.ndarray:
    """A colourful float image that differs per key (stands in for a visualisation)."""
    rng = np.random.default_rng(zlib.crc32(repr(key).encode()))
    yy, xx = np.mgrid[0:size, 0:size] / size
    ph = rng.uniform(0, 6.3, 3)
    fr = rng.uniform(3, 9, 3)
    return np.stack([0.5 + 0.5 * np.sin(fr[i] * (xx * np.cos(ph[i]) + yy * np.sin(ph[i])) * 3
                                        + ph[i]) for i in range(3)], -1).astype(np.float32)


def choices():
    return [SimpleNamespace(name="mobilenet_v2", title="MobileNetV2 \u00b7 Standard",
                            available=True, checkpoints=[1000, 5000, 20000]),
            SimpleNamespace(name="efficientnet_lite0", title="EfficientNet-Lite0 \u00b7 Standard",
                            available=True, checkpoints=[]),
            SimpleNamespace(name="mobilenet_v2_adv",
                            title="MobileNetV2 \u00b7 Adversarially trained (L2, eps 3)",
                            available=False, checkpoints=[2500, 10000])]
