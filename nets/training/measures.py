"""How the measures of ``perturber evaluate`` are named and shown: one place for its
table and the model cards.

A result holds, per model, rows by split (``renders``, ``photos``, ``objects``) of
measure key -> value; robust keys read ``NORM_EPS@STEPS`` (``l2_0.5@10``; older results:
``NORM_EPS`` with the steps in the settings). Shares are shown in per cent.
"""
from __future__ import annotations

import math

SPLITS = ("renders", "photos", "objects")
OBJECTS = {"dog": "dog", "cat": "cat", "fire_truck": "fire truck", "race_car": "race car",
           "all": "all four"}
COUNTS = ("perturbation_flipped",)


def robust_label(key: str) -> str:
    """``l2_0.5@10`` -> "L2 eps 0.5, 10 steps"; ``linf_1`` -> "LINF eps 1/255"."""
    norm, rest = key.split("_", 1)
    eps, _, steps = rest.partition("@")
    return (f"{norm.upper()} eps {eps}" + ("/255" if norm == "linf" else "")
            + (f", {steps} step{'' if steps == '1' else 's'}" if steps else ""))


def label(split: str, key: str, settings: dict | None = None) -> str:
    """The words for measure ``key`` of ``split``."""
    settings = settings or {}
    if split == "objects":
        if key in OBJECTS:
            return f"superclass accuracy, {OBJECTS[key]}"
        return f"robust superclass accuracy (all four), {robust_label(key)}"
    fixed = {
        "clean": "clean agreement",
        "clean_top5": "clean: reference label in top 5",
        "top5_overlap": "clean: top-5 overlap with the reference",
        "perturbation_top1": "L2 0.5 perturbation alone, amplified: the standard model's top-1 "
                             "is the adversarial class",
        "perturbation_top5": "... the adversarial class in its top 5",
        "perturbation_flipped": "... of this many attacks that flipped the label",
    }
    if key in fixed:
        return fixed[key]
    if key == "clean_confident":
        n = settings.get("confident", {}).get(split)
        return (f"clean agreement where the reference is confident (p >= "
                f"{settings.get('confident_p', 0.5)}" + (f", {n} images)" if n is not None else ")"))
    if key.startswith("lowfreq"):
        return f"low-freq. share of L2 0.5 perturbation, <= {key.split('_')[-1]} Nyquist"
    return f"robust, {robust_label(key)}"


def cell(key: str, value) -> str:
    """A value as the table shows it: "-" when absent, "n/a" when undefined."""
    if value is None:
        return "-"
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if key in COUNTS:
        return str(int(value))
    return f"{100 * value:.1f} %" if key.startswith("lowfreq") else f"{100 * value:.1f}"


def keys(models: dict) -> list[tuple[str, str]]:
    """(split, key) of every measure any model has, in the order first met."""
    found = []
    for rows in models.values():
        for split in SPLITS:
            for key in rows.get(split, {}):
                if (split, key) not in found:
                    found.append((split, key))
    return found
