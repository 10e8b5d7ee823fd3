"""Model cards (markdown) for weights written by ``loop.train``, from the run's record."""
from __future__ import annotations

import platform

import torch

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


def model_card(record: dict, machine: str | None = None) -> str:
    runs = _runs(record)
    cfg = record["config"]
    variant = cfg["variant"]
    machine = machine or record.get("machine") or (
        f"{platform.machine()} CPU, {torch.get_num_threads()} torch thread(s), "
        f"torch {torch.__version__}, shared with other jobs")
    batched = record.get("recipe") == "batched"
    wall = sum(r["wall_s"] for r in runs)
    lines = [f"# {record['name']} — MobileNetV2 · {TITLES[variant]} (made in this project)", "",
             "Fine-tuned from torchvision's MobileNetV2 (IMAGENET1K_V1) by "
             + (f"`python -m nets.training.batched --variant {variant}` on a training pack from "
                "`perturber train-pack` (`scripts/gpu-variants.sh`; "
                if batched else f"`perturber train --variant {variant}` (")
             + "code: `nets/training/`).", "",
             "## Training",
             f"- Labels: the frozen standard model's **soft** predictions (softmax) on the clean "
             f"image; {'the inner attack uses its hard label (argmax).' if variant == 'adv' else 'the student sees the texture-swapped version.'}",
             f"- Iterations: {record['steps']} optimiser steps of batch {cfg['batch']} "
             f"({sum(r['images_seen'] for r in runs)} images), {len(runs)} run(s), "
             f"wall time {wall / 60:.1f} min on {machine}.",
             (f"- Optimiser: AdamW lr {cfg['lr']} (linear warm-up over {cfg['warmup']:.0%} of a "
              f"{cfg['seconds']:.0f} s budget, then cosine decay to 0), bf16 autocast (the teacher "
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
