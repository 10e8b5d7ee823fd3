"""`perturber attack`: PGD on the rendered scene from the command line.

  perturber attack [scene options] [--model NAME[@ITER]] [--norm l2|linf] [--eps E]
                   [--steps N] [--target INDEX|NAME] [--out FILE.png] [--save FILE.npz] [--json]

``--eps`` is in the units of the app's Epsilon slider: L2 in [0, 1]-image units, Linf
in 1/255 steps (8 = 8/255). ``--out`` writes the adversarial image as an 8-bit PNG
(rounding can undo part of a small perturbation: ``--save`` keeps the exact floats,
``clean`` and ``adversarial``, float32 (3, 224, 224) in [0, 1]).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from game.core.outputs import atomic_path, check_output
from game.core.params import BY_NAME, DISCRETE, ParamError

MAX_STEPS = 10_000


def add_commands(sub) -> None:
    from game.cli.args import add_scene_options

    p = sub.add_parser("attack", help="PGD attack on the rendered scene (L2 or Linf)")
    add_scene_options(p, subcommand=True)
    p.add_argument("--model", default=DISCRETE["model1"],
                   help="registry name, NAME@ITERATION for a checkpoint (default: %(default)s)")
    p.add_argument("--norm", default="l2", help="l2 or linf (default: %(default)s)")
    p.add_argument("--eps", default="1.0",
                   help="radius: L2 in [0, 1]-image units, Linf in 1/255 steps (default 1)")
    p.add_argument("--steps", default="10", help="PGD steps of eps/8 each (default 10)")
    p.add_argument("--target", default=None,
                   help="class index (or a class name matching one class); default untargeted")
    p.add_argument("--out", metavar="FILE.png", help="the adversarial image as PNG")
    p.add_argument("--save", metavar="FILE.npz", help="clean and adversarial float32 arrays")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--force", action="store_true", help="replace existing --out/--save files")
    p.add_argument("--threads", default="1",
                   help="torch threads (default 1: steadiest on a shared CPU; 0 = torch's default)")


def run(args) -> int | None:
    if args.command != "attack":
        return None
    return cmd_attack(args)


# -- checking the options ----------------------------------------------------------------
def parse_norm(text: str) -> str:
    norm = str(text).strip().lower()
    if norm not in ("l2", "linf"):
        raise ParamError(f"--norm {text!r}: choose l2 or linf")
    return norm


def parse_eps(text: str) -> float:
    try:
        return BY_NAME["attack_eps"].validate(text)
    except ParamError as exc:
        raise ParamError(f"--eps: {exc}") from None


def parse_steps(text: str) -> int:
    try:
        steps = int(str(text).strip())
    except ValueError:
        raise ParamError(f"--steps {text!r}: expected a whole number") from None
    if not 0 <= steps <= MAX_STEPS:
        raise ParamError(f"--steps {steps}: choose 0..{MAX_STEPS}")
    return steps


def parse_threads(text: str) -> int:
    try:
        n = int(str(text).strip())
    except ValueError:
        raise ParamError(f"--threads {text!r}: expected a whole number") from None
    if not 0 <= n <= 256:
        raise ParamError(f"--threads {n}: choose 0..256 (0 = torch's default)")
    return n


# -- the command -----------------------------------------------------------------------------
def probabilities(model, x):
    """Softmax of ``model`` on one (3, H, W) image."""
    import torch

    with torch.no_grad():
        return model(x.unsqueeze(0))[0].float().softmax(0)


def top1(probs, label_of) -> dict:
    index = int(probs.argmax())
    return {"index": index, "label": label_of(index), "prob": float(probs[index])}


def cmd_attack(args) -> int:
    import numpy as np
    import torch

    from game.cli.args import load_models, parse_models, render_frame
    from game.core.attack_image import image_eps, l2_linf
    from game.core.parsers import parse_target
    from nets.attacks import make_attack
    from nets.labels import class_names
    from nets.threads import torch_threads

    norm, eps, steps = parse_norm(args.norm), parse_eps(args.eps), parse_steps(args.steps)
    threads = parse_threads(args.threads)
    specs = parse_models(args.model)
    if len(specs) != 1:
        raise ParamError(f"--model {args.model!r}: attack one model at a time")
    for path, flag, ext in ((args.out, "--out", ".png"), (args.save, "--save", ".npz")):
        if path:
            check_output(path, force=args.force, what=flag, suffixes=(ext,))
    (name, model), = load_models(specs)
    classes = class_names(model)
    label_of = classes.label
    target = parse_target(args.target, len(classes), classes.search, what="--target")
    frame = render_frame(args)
    clean = torch.from_numpy(frame.as_float())
    with torch_threads(threads):
        t0 = time.perf_counter()
        attack = make_attack(model, norm, image_eps(norm, eps), target)
        adversarial = attack.run(clean, steps)[0]
        seconds = time.perf_counter() - t0
        before, after = probabilities(model, clean), probabilities(model, adversarial)
    l2, linf = l2_linf((adversarial - clean).numpy())
    report = {
        "object": args.object or DISCRETE["object"],
        "background": args.background or DISCRETE["background"], "set": args.set,
        "model": name, "norm": norm, "eps": eps, "eps_image": image_eps(norm, eps),
        "steps": steps, "target": None if target is None else
        {"index": target, "label": label_of(target)},
        "before": top1(before, label_of), "after": top1(after, label_of),
        "perturbation": {"l2": l2, "linf": linf, "linf_255": linf * 255.0},
        "seconds": round(seconds, 3),
    }
    original = report["before"]["index"]
    report["original_after"] = {**report["before"], "prob": float(after[original])}
    if args.out:
        from PIL import Image

        from game.core.attack_image import chw_to_hwc, to_uint8

        with atomic_path(args.out) as part:
            Image.fromarray(to_uint8(chw_to_hwc(adversarial.numpy()))).save(part)
        report["out"] = str(args.out)
    if args.save:
        with atomic_path(args.save) as part:
            np.savez(part, clean=clean.numpy().astype(np.float32),
                     adversarial=adversarial.numpy().astype(np.float32))
        report["save"] = str(args.save)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    b, a, o = report["before"], report["after"], report["original_after"]
    print(f"{name}: PGD {norm} eps {eps:g}{'/255' if norm == 'linf' else ''}, {steps} steps"
          f"{'' if target is None else f', target {label_of(target)} ({target})'}")
    print(f"  before: {b['label']} ({b['index']}) {b['prob']:.1%}")
    print(f"  after:  {a['label']} ({a['index']}) {a['prob']:.1%}; "
          f"{o['label']} now {o['prob']:.1%}")
    print(f"  perturbation: L2 {l2:.4f}, Linf {linf:.4f} ({linf * 255:.2f}/255)")
    for key in ("out", "save"):
        if key in report:
            print(f"  wrote {report[key]}")
    return 0
