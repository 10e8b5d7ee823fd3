"""What the inference task hands to the views: one result per inferred frame.

Plain data (numpy, lists, dicts), so the views and the recorder never touch torch.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SLOTS = ("model1", "model2", "edited")
SLOT_TITLES = {"model1": "Model 1", "model2": "Model 2", "edited": "Edited Model"}

# Neuron groups every model has; class groups come from activation x gradient on
# renders of these objects (see game/tools/featvis/groups.py), "most_active" from the frame.
GROUP_TITLES = {
    "most_active": "Most active (this frame)",
    "dog": "Dog",
    "cat": "Cat",
    "fire_truck": "Fire truck",
    "race_car": "Race car",
}


@dataclass(frozen=True)
class SlotOutput:
    slot: str                      # one of SLOTS
    model: str                     # registry name of the network in the slot
    title: str                     # e.g. "MobileNetV2 · Standard"
    layer: str                     # the tapped layer of this network
    activations: np.ndarray | None  # (C, H, W) float32; None when activations are off
    layer_std: float               # std of the whole layer (act_normalization 0)
    top: list[dict] | None         # top-k {"index", "label", "logit", "prob"}; None when off
    groups: dict[str, tuple[int, ...]] = field(default_factory=dict)  # group -> channels, best first
    checkpoint: int = 0            # training iteration (0 = final weights)
    ms: float = 0.0                # forward time of this slot


@dataclass(frozen=True)
class InferenceResult:
    frame_serial: int              # Frame.serial the outputs belong to
    params_version: int            # ParamState.version of that frame
    image: np.ndarray              # (224, 224, 3) uint8: the frame itself
    outputs: tuple[SlotOutput, ...]  # enabled slots, in SLOTS order
    ms: float = 0.0                # whole inference (all slots)

    def output(self, slot: str) -> SlotOutput | None:
        return next((o for o in self.outputs if o.slot == slot), None)
