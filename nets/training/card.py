"""Model cards (markdown) for weights written by ``loop.train``, from the run's record and,
once the weights were evaluated, the ``perturber evaluate`` result that says how robust they are."""
from __future__ import annotations

import platform

import torch

from . import measures as _measures

TITLES = {"adv": "Adv. Trained", "stylized": "Stylized"}

NOT = """## What this model is NOT
- It is **not** the thesis' model (the thesis fine-tuned InceptionV1 on ImageNet and
  Stylized ImageNet for thousands of GPU steps).
- It is **not** a Madry-lab / robustness-library model, nor a Stylized-ImageNet
  (Geirhos et al.) model: no such weights are used or imitated beyond the idea.
- It is **not trained on ImageNet** and has no ImageNet accuracy figure: it was
  fine-tuned without labels, from the standard model's own predictions, on renders of
  this project's procedural scenes and a dozen packaged photos. Its ImageNet accuracy
  is unknown; agreement with the standard model is what `perturber evaluate` measures.
- It is a short fine-tune (minutes, against the thesis' days of GPU time): expect only
  a partial version of the effect (see `docs/robust-variants.md` for the measured numbers)."""


def _runs(record: dict) -> list[dict]:
    runs = []
    while record:
        runs.append(record)
        record = record.get("previous")
    return runs[::-1]


NORMS = {"l2": "L2", "linf": "Linf"}


def _pct(value: float) -> str:
    return f"{100 * value:.1f}".removesuffix(".0") + " %"


def measured(name: str, evaluation: dict) -> list[str]:
    """The "how robust" section for ``name`` from a ``perturber evaluate`` JSON result
    (its reference model's figures beside each)."""
    settings, models = evaluation["settings"], evaluation["models"]
    ref_name = settings["reference"]
    mine, ref = models[name], models[ref_name]
    lines = ["## How robust it is (measured)",
             f"`perturber evaluate` on held-out data ({settings['renders']} renders, "
             f"{settings['photos']} photo crops, {settings['cue_conflict']} cue-conflict renders; "
             f"docs/robust-variants.md). Robust = the label ({ref_name}'s top-1 on the clean "
             f"image) survives a {settings['pgd_steps']}-step PGD attack.", ""]
    for split in ("renders", "photos"):
        n = settings[split]
        for key, value in mine.get(split, {}).items():
            if key.startswith(("l2_", "linf_")):
                norm, eps = key.split("_")
                unit = "/255" if norm == "linf" else ""
                lines.append(f"- {split}, {NORMS[norm]} PGD eps {eps}{unit}: **{_pct(value)}** "
                             f"robust ({round(value * n)} of {n}); {ref_name}: {_pct(ref[split][key])}")
    lines += [f"- renders, clean: agrees with {ref_name} on {_pct(mine['renders']['clean'])}",
              f"- cue conflict: shape bias {mine['shape_bias']['shape_bias']:.2f}; "
              f"{ref_name}: {ref['shape_bias']['shape_bias']:.2f}", ""]
    return lines


# what a card shows of a user's measures: (split, measure); the rest is in the full table
HEADLINE = (("objects", "dog"), ("objects", "cat"), ("objects", "fire_truck"),
            ("objects", "race_car"), ("objects", "all"), ("objects", "l2_0.5@10"),
            ("objects", "l2_0.5@50"),
            ("renders", "clean"), ("renders", "clean_confident"), ("renders", "top5_overlap"),
            ("renders", "l2_0.5@10"), ("renders", "l2_0.5@50"), ("renders", "linf_1@10"),
            ("renders", "lowfreq_l2_0.5_0.125"), ("renders", "perturbation_top1"),
            ("renders", "perturbation_flipped"))


def recognisable(result: dict, name: str) -> list[str]:
    """The measures a user recognises (superclass accuracy on the four objects, robust
    accuracy, the attack's low-frequency share and what the perturbation alone shows), for
    ``name`` beside the reference model, from a ``perturber evaluate`` result that has them."""
    settings, models = result["settings"], result["models"]
    ref_name = settings["reference"]
    mine, ref = models[name], models.get(ref_name, {})
    lines = ["## What a user would see (measured)",
             f"`perturber evaluate` ({settings['renders']} held-out renders, the four objects from "
             f"{settings['views_per_object']} yaws each; PGD from zero, step 2.5 eps / steps, "
             "images in [0, 1]; definitions: docs/robust-variants.md).", "",
             f"| measure | {name} | {ref_name} |", "|---|---|---|"]
    for split, key in HEADLINE:
        if key in mine.get(split, {}):
            lines.append(f"| {split}: {_measures.label(split, key, settings)} | "
                         f"{_measures.cell(key, mine[split][key])} | "
                         f"{_measures.cell(key, ref.get(split, {}).get(key))} |")
    return lines + [""]


def model_card(record: dict, machine: str | None = None, evaluation: dict | None = None,
               measures: dict | None = None) -> str:
    """The card of a training run; with ``evaluation`` (a ``perturber evaluate`` result that
    has this model) also how robust it measured, with ``measures`` (a result with the
    object views) what a user would see."""
    runs = _runs(record)
    cfg = record["config"]
    variant = cfg["variant"]
    machine = machine or record.get("machine") or (
        f"{platform.machine()} CPU, {torch.get_num_threads()} torch thread(s), "
        f"torch {torch.__version__}, shared with other jobs")
    batched = record.get("recipe") == "batched"
    wall = sum(r["wall_s"] for r in runs)
    init = runs[0].get("init")
    lines = [f"# {record['name']} — MobileNetV2 · {TITLES[variant]} (made in this project)", "",
             (f"Fine-tuned from the weights `{init}` (`--init`; the teacher is torchvision's "
              "MobileNetV2 (IMAGENET1K_V1)) by " if init else
              "Fine-tuned from torchvision's MobileNetV2 (IMAGENET1K_V1) by ")
             + (f"`python -m nets.training.batched --variant {variant}` on a training pack from "
                "`perturber train-pack` (`scripts/gpu-variants.sh`; "
                if batched else f"`perturber train --variant {variant}` (")
             + "code: `nets/training/`).", ""]
    if evaluation and record["name"] in evaluation.get("models", {}):
        lines += measured(record["name"], evaluation)
    if measures and record["name"] in measures.get("models", {}):
        lines += recognisable(measures, record["name"])
    lines += ["## Training",
             f"- Labels: the frozen standard model's **soft** predictions (softmax) on the clean "
             f"image; {'the inner attack uses its hard label (argmax).' if variant == 'adv' else 'the student sees the texture-swapped version.'}",
             f"- Iterations: {record['steps']} optimiser steps of batch {cfg['batch']} "
             f"({sum(r['images_seen'] for r in runs)} images), {len(runs)} run(s), "
             f"wall time {wall / 60:.1f} min on {machine}.",
             (f"- Optimiser: AdamW lr {cfg['lr']} (linear warm-up over {cfg['warmup']:.0%} of a "
              + (f"{cfg['steps']}-step" if cfg.get("steps") else f"{cfg['seconds']:.0f} s")
              + " budget, then cosine decay to 0), bf16 autocast (the teacher "
              f"in fp32), random resized crops {cfg['size']} px (area 0.5-1) + flips + colour "
              "jitter computed on the GPU; the teacher labels the very crop the student sees "
              "(consistent teaching)" if batched else
              f"- Optimiser: Adam lr {cfg['lr']}, crops {cfg['size']} px")
             + f", BatchNorm statistics frozen (eval mode), parameters under {list(cfg['freeze'])} frozen.",
             f"- Loss: KL(teacher(clean) || student({'PGD(x)' if variant == 'adv' else 'texture-swapped x'}))"
             f" + {cfg['clean_weight']} x KL(teacher(clean) || student(clean)).",
             ]
    if variant == "adv":
        lines.append(f"- Inner attack: L2 PGD, eps {cfg['eps']} (images in [0, 1]), "
                     f"{cfg['attack_steps']} steps, from zero, on the teacher's hard label.")
    lines += [
        f"- Data: {record['renders']} rendered images per run, of random scenes (`game/batch/train_data.py`: "
        "both objects, all morphs with shape = texture, random camera, lawn/street/photo/noise "
        "backgrounds, random post effects) "
        + ("(each scene rendered with its own and with swapped textures)" if variant == "adv" else
           "paired with their texture-swapped twins (object texture from a bank of other "
           "objects' textures, backgrounds, tinted skimage textures, photos, procedural noise; "
           "background swapped with p 0.7)")
        + f"; {cfg['photo_fraction']:.0%} of each batch are augmented crops of "
        f"{record['photos']} packaged scikit-image photos (`nets/training/photos.py`, public domain / CC0)"
        + ("" if variant == "adv" else ", texture-randomised by amplitude-phase recombination")
        + "; render classes sampled with weight count^-%.1f of the teacher's label." % cfg["balance_power"],
    ]
    if record.get("pack"):
        pack = record["pack"]
        lines.append(f"- Training pack: render seeds {pack.get('seeds')}, {pack.get('scenes')} scenes, "
                     f"stored as JPEG quality {pack.get('quality')} (the teacher labels the same "
                     "decoded images the student sees).")
        if pack.get("variety"):
            v = pack["variety"]
            lines.append(f"- Scene variety (`game/batch/variety.py`): pitch {v['pitch'][0]:g}..{v['pitch'][1]:g}, "
                         f"distance x{v['distance'][0]:g}-{v['distance'][1]:g}, roll sd {v['roll']:g}, "
                         f"{v['lighting']} lighting, backgrounds "
                         + ", ".join(f"{k} {w:g}" for k, w in v["backgrounds"])
                         + f"; photos: {', '.join(pack.get('photos', []))}.")
    lines += [
        "- Held out (never trained on): renders with seeds >= 10000, the photos chelsea, coins, "
        "clock, cell, the dog/cat cue-conflict renders.",
        "", "## Checkpoints",
        "Iteration 1 = the standard model's weights (as in the thesis' checkpoint slider); "
        f"bundled: {', '.join(str(i) for r in runs for i in r['checkpoints']) or 'none'} and the final "
        f"weights (iteration {record['steps']}), fp16 safetensors.",
        "", f"Loss every 25 steps (last run): {record['loss_curve']}", ""]
    if record.get("notes"):
        lines += ["## Notes", *[f"- {n}" for n in record["notes"]], ""]
    lines += [NOT, ""]
    return "\n".join(lines)
