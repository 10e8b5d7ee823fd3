"""`perturber evaluate`: standard vs Adv. Trained vs Stylized on held-out data.

  perturber evaluate [--models a,b,c] [--n N] [--photos N] [--views N] [--steps 10,50]
                     [--json] [--out FILE]

Held-out data (never used in training): renders of random scenes with seeds >=
``game.batch.train_data.HELDOUT_SEED_BASE``; fixed crops of the held-out packaged photos
(``nets.training.photos.HELDOUT_PHOTOS``); dog/cat cue-conflict renders; the four objects
(dog, cat, fire truck, race car) from ``--views`` yaws each, all round (the objects are
those of training, these views are not). Reference labels: the standard model's top-1 on
the clean images. Measures (``nets.training.metrics``):

- renders and photos: agreement with the reference (all images, those where the reference
  is confident, its label in the top 5, top-5 overlap), robust agreement under L2 and
  Linf PGD for each of ``--steps`` (step 2.5 eps / steps, from zero; kept = the label
  never flips, nor under any smaller radius or fewer steps tried);
- objects: superclass accuracy (top-1 in the object's ``nets.groups.CLASS_SETS`` set),
  per object and over all views, and robust superclass accuracy under PGD on -log p(set);
- the full L2 eps-0.5 attack perturbations of ``--spectra`` renders: their low-frequency
  share, and how often the standard model (``--reference``) sees the adversarial class
  in the perturbation alone, stretched to the image's range;
- shape bias on the cue conflicts.

Cost of the defaults: about 4 minutes for the three default models on 2 shared CPU cores
once the held-out data are cached; more for more robust models (``docs/robust-variants.md``).
"""
from __future__ import annotations

import json
import math
import sys
import time

from game.cli import values
from game.core.outputs import atomic, check_output
from game.core.params import ParamError

DEFAULT_MODELS = "mobilenet_v2,mobilenet_v2_adv,mobilenet_v2_stylized"
CUTOFFS = (0.125, 0.25)
CONFIDENT = 0.5   # "confident" reference labels: top-1 probability at least this


def add_commands(sub) -> None:
    from game.cli.args import MODELS_HELP

    p = sub.add_parser("evaluate", help="agreement, robustness, shape bias, perturbation spectra")
    p.add_argument("--models", default=DEFAULT_MODELS,
                   help=MODELS_HELP + " (default: %(default)s)")
    p.add_argument("--reference", default="mobilenet_v2", help="whose clean labels count")
    p.add_argument("--n", type=values.count(1, 10_000), default=32,
                   help="held-out renders (default 32)")
    p.add_argument("--photos", type=values.count(0, 1000), default=16,
                   help="crops of held-out photos (default 16)")
    p.add_argument("--spectra", type=values.count(0, 1000), default=16,
                   help="renders whose full L2 eps-0.5 attack perturbations are analysed (default 16)")
    p.add_argument("--cue", type=values.count(0, 10_000), default=96,
                   help="cue-conflict renders (default 96)")
    p.add_argument("--views", type=values.count(0, 1000), default=8,
                   help="yaws of each of the four objects (default 8)")
    p.add_argument("--steps", type=values.counts(1, 1000), default="10,50",
                   help="PGD step counts (default 10,50; the spectra use the first)")
    p.add_argument("--l2", type=values.numbers(above=0, hi=100), default="0.25,0.5,1.0",
                   help="L2 epsilons, images in [0, 1]")
    p.add_argument("--linf", type=values.numbers(above=0, hi=255), default="1,2",
                   help="Linf epsilons in 1/255 units")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--out", default=None, help="also write the JSON to this file")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--merge", type=values.existing_file, default=None,
                   help="add these models to an earlier --out JSON made with the same settings "
                   "and print the combined result")


def run(args) -> int | None:
    if args.command != "evaluate":
        return None
    return cmd_evaluate(args)


def earlier_result(path, settings: dict) -> dict:
    """The ``--merge`` file, refused unless it was made with the same settings."""
    try:
        earlier = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ParamError(f"--merge {path}: not a readable evaluation JSON ({exc})") from None
    if not isinstance(earlier, dict) or not isinstance(earlier.get("models"), dict) \
            or not isinstance(earlier.get("settings"), dict):
        raise ParamError(f"--merge {path}: not an evaluation result (no settings/models)")
    differ = sorted(k for k in settings if earlier["settings"].get(k) != settings[k])
    if differ:
        raise ParamError(f"--merge {path}: made with other settings ({', '.join(differ)}); "
                         "evaluate with the same options, or without --merge")
    return earlier


def requested_settings(args) -> dict:
    """The settings that decide what an evaluation measures (``--merge`` compares them)."""
    return {"reference": args.reference, "renders": args.n, "photos": args.photos,
            "cue_conflict": args.cue, "views_per_object": args.views, "pgd_steps": args.steps,
            "l2_eps": args.l2, "linf_eps_255": args.linf,
            "lowfreq_cutoffs_nyquist": list(CUTOFFS), "spectra_renders": args.spectra,
            "confident_p": CONFIDENT}


def held_out_data(n: int, n_photos: int, n_cue: int, n_views: int = 0) -> dict:
    import torch

    from game.batch.train_data import HELDOUT_SEED_BASE, cached
    from nets.groups import CLASS_SETS
    from nets.training.augment import photo_crops, to_tensor
    from nets.training.metrics import class_set_masks
    from nets.training.photos import HELDOUT_PHOTOS, photos

    renders = cached("random", max(n, 160), HELDOUT_SEED_BASE)["clean"][:n]
    cue = cached("cue_conflict", max(n_cue, 96), HELDOUT_SEED_BASE + 1)
    torch.manual_seed(HELDOUT_SEED_BASE)
    held = [to_tensor(p) for p in photos(HELDOUT_PHOTOS)]
    per = math.ceil(n_photos / len(held)) if n_photos else 0
    crops = torch.cat([photo_crops(p, per, 224) for p in held])[:n_photos] if per else None
    views = cached("views", n_views, HELDOUT_SEED_BASE + 2) if n_views else None
    return {"renders": to_tensor(renders), "photos": crops,
            "cue": to_tensor(cue["images"][:n_cue]), "cue_shape": list(cue["shape"][:n_cue]),
            "cue_texture": list(cue["texture"][:n_cue]),
            "views": to_tensor(views["images"]) if views else None,
            "views_object": list(views["object"]) if views else [],
            "views_masks": class_set_masks(list(views["object"]), CLASS_SETS) if views else None}


def robust_row(kept, start, norm: str, radii, steps) -> dict[str, float]:
    """{"NORM_EPS@STEPS": share kept} from ``metrics.nested_robustness``."""
    from nets.training import metrics

    found = metrics.nested_robustness(kept, start, radii, steps)
    return {f"{norm}_{e:g}@{k}": float(found[(e, k)].float().mean())
            for e in sorted(radii) for k in sorted(steps)}


def evaluate_model(model, ref_labels: dict, data: dict, steps: list, l2: list, linf: list,
                   spectra: int = 16, viewer=None) -> dict:
    """Every measure of one model (see the module docstring). ``viewer``: the model that
    looks at the perturbations alone (the standard one)."""
    from nets.groups import CLASS_SETS
    from nets.training import metrics

    out = {}
    sets = {"renders": data["renders"], "photos": data["photos"]}
    for split, images in sets.items():
        if images is None or not len(images):
            continue
        labels = ref_labels[split]
        hits = metrics.predict(model, images) == labels
        row = {"clean": float(hits.float().mean()),
               "clean_top5": metrics.topk_agreement(model, images, labels, 5)}
        if data.get(f"{split}_top5") is not None:
            row["top5_overlap"] = metrics.topk_overlap(model, images, data[f"{split}_top5"])
        sure = data.get(f"{split}_confident")
        if sure is not None and sure.any():
            row["clean_confident"] = metrics.agreement(model, images[sure], labels[sure])
        # photos are a secondary check: one radius
        radii = {"l2": l2, "linf": linf} if split == "renders" else {"l2": [0.5]}
        for norm, eps_list in radii.items():
            scale = 1 if norm == "l2" else 1 / 255
            row.update(robust_row(
                lambda i, e, k, norm=norm, scale=scale: metrics.kept_under_attack(
                    model, images[i], labels[i], e * scale, k, norm),
                hits, norm, eps_list, steps))
        if split == "renders" and spectra:
            row.update(perturbations(model, images[:spectra], labels[:spectra], steps[0], viewer))
        out[split] = row
    if data.get("views") is not None:
        out["objects"] = objects_row(model, data, steps, l2, linf)
    preds = metrics.predict(model, data["cue"])
    out["shape_bias"] = metrics.shape_bias(preds, data["cue_shape"], data["cue_texture"],
                                           {k: set(v) for k, v in CLASS_SETS.items()})
    return out


def perturbations(model, images, labels, steps: int, viewer=None) -> dict:
    """The full ``steps``-step L2 eps-0.5 attack (no early stop: the perturbations themselves
    are measured): their low-frequency shares and what ``viewer`` sees in them alone."""
    from nets.training import metrics

    _, deltas = metrics.robust_agreement(model, images, labels, 0.5, steps, "l2")
    row = {f"lowfreq_l2_0.5_{c:g}": metrics.low_frequency_share(deltas, c) for c in CUTOFFS}
    if viewer is not None:
        adversarial = metrics.predict(model, (images + deltas).clamp(0, 1))
        flipped = adversarial != labels
        seen = metrics.seen_in_perturbation(viewer, deltas[flipped], adversarial[flipped])
        row.update({"perturbation_top1": seen["top1"], "perturbation_top5": seen["top5"],
                    "perturbation_flipped": seen["images"]})
    return row


def objects_row(model, data: dict, steps: list, l2: list, linf: list) -> dict:
    """Superclass accuracy on the object views: per object, all, and robust (all)."""
    from nets.training import metrics

    views, masks, names = data["views"], data["views_masks"], data["views_object"]
    hits = metrics.in_set(model, views, masks)
    row = {name: float(hits[[n == name for n in names]].float().mean())
           for name in dict.fromkeys(names)}
    row["all"] = float(hits.float().mean())
    for norm, radii, scale in (("l2", l2, 1), ("linf", linf, 1 / 255)):
        row.update(robust_row(
            lambda i, e, k, norm=norm, scale=scale: metrics.kept_in_set(
                model, views[i], masks[i], e * scale, k, norm),
            hits, norm, radii, steps))
    return row


def markdown_table(result: dict) -> str:
    from nets.training import measures

    models = list(result["models"])
    settings = result.get("settings", {})
    lines = ["| measure | " + " | ".join(models) + " |", "|---|" + "---|" * len(models)]
    for split, k in measures.keys(result["models"]):
        cells = [measures.cell(k, result["models"][m].get(split, {}).get(k)) for m in models]
        lines.append(f"| {split}: {measures.label(split, k, settings)} | " + " | ".join(cells) + " |")
    cells = []
    for m in models:
        sb = result["models"][m]["shape_bias"]
        cells.append(f"{sb['shape_bias']:.2f} ({sb['shape']}/{sb['texture']}/{sb['other']})")
    lines.append("| cue conflict: shape bias (shape/texture/other) | " + " | ".join(cells) + " |")
    stability = result.get("settings", {}).get("reference_stability")
    if stability:
        lines += ["", "The reference's own top-1 kept under content-keeping changes (a ceiling for "
                  "any other network's agreement): " + "; ".join(
                      f"{split}: " + ", ".join(f"{k} {100 * v:.1f} %" for k, v in s.items())
                      for split, s in stability.items())]
    return "\n".join(lines)


def cmd_evaluate(args) -> int:
    from game.cli.args import parse_models
    from nets import registry
    from nets.training import metrics

    t0 = time.monotonic()
    wanted = requested_settings(args)
    earlier = earlier_result(args.merge, wanted) if args.merge else None
    if args.out:
        check_output(args.out, force=args.force or args.out == str(args.merge))
    models = parse_models(args.models)
    data = held_out_data(args.n, args.photos, args.cue, args.views)
    ref = registry.load(args.reference)
    ref_labels = {k: metrics.predict(ref, data[k]) for k in ("renders", "photos")
                  if data[k] is not None}
    for k in ref_labels:
        data[f"{k}_confident"] = metrics.confidence(ref, data[k]) >= CONFIDENT
        data[f"{k}_top5"] = metrics.topk(ref, data[k], 5)
    l2, linf = args.l2, args.linf
    result = {"settings": {**wanted,
                           "confident": {k: int(data[f"{k}_confident"].sum()) for k in ref_labels},
                           "reference_stability": {k: metrics.label_stability(ref, data[k])
                                                   for k in ref_labels}},
              "models": {}}
    for name, ckpt in models:
        t = time.monotonic()
        model = registry.get(name).load(ckpt)
        key = f"{name}@{ckpt}" if ckpt else name
        result["models"][key] = evaluate_model(model, ref_labels, data, args.steps, l2, linf,
                                                args.spectra, viewer=ref)
        result["models"][key]["eval_s"] = round(time.monotonic() - t, 1)
        if not args.json:
            print(f"{key}: done in {time.monotonic() - t:.0f} s", flush=True)
    result["wall_s"] = round(time.monotonic() - t0, 1)
    if earlier is not None:
        result["models"] = {**earlier["models"], **result["models"]}
        result["wall_s"] += earlier.get("wall_s", 0)
    text = json.dumps(result, indent=1)
    print(text if args.json else markdown_table(result), flush=True)  # shown even if --out fails
    if args.out:
        try:
            with atomic(args.out) as f:
                f.write(text)
        except OSError as exc:
            print(f"perturber: error: could not write {args.out}: {exc}", file=sys.stderr)
            return 1
    return 0
