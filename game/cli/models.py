"""`perturber predict` and `perturber models`: the networks from the command line.

  perturber predict [scene options] [--models A,B@ITER] [--top K] [--json]
  perturber models [--json]
"""
from __future__ import annotations

import argparse
import json

from game.core.params import DISCRETE, ParamError


def import_torch_first() -> None:
    """torchvision imported after Panda3D's EGL context exists crashes the process."""
    import torch  # noqa: F401
    import torchvision  # noqa: F401


def add_commands(sub) -> None:
    from game.cli.main import add_scene_options

    predict = sub.add_parser("predict", help="render the scene and print each model's top-K")
    add_scene_options(predict)
    predict.add_argument("--models", default=f"{DISCRETE['model1']},{DISCRETE['model2']}",
                         help="comma-separated registry names, NAME@ITERATION for a checkpoint "
                              "(default: %(default)s; see `perturber models`)")
    predict.add_argument("--top", type=int, default=5, help="how many classes (default 5)")
    predict.add_argument("--json", action="store_true", help="print JSON")
    models = sub.add_parser("models", help="list the models, whether their weights are here, layers")
    models.add_argument("--json", action="store_true", help="print JSON")


def run(args) -> int | None:
    if args.command == "predict":
        from game.cli.main import render_frame

        return cmd_predict(args, render_frame)
    if args.command == "models":
        return cmd_models(args)
    return None


def parse_models(text: str) -> list[tuple[str, int]]:
    """``"a,b@100"`` -> [("a", 0), ("b", 100)], checked against the registry.

    ``ARCH=FILE`` (e.g. ``mobilenet_v2=run/adv.safetensors``) registers a weights file of a
    known architecture under the file's stem and takes it (its final weights).
    """
    from nets import registry

    out = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        if "=" in item:
            out.append((user_file(item), 0))
            continue
        name, _, it = item.partition("@")
        if name not in registry.names():
            raise ParamError(f"unknown model {name!r}; `perturber models` lists them")
        try:
            iteration = int(it) if it else 0
        except ValueError:
            raise ParamError(f"{item!r}: the checkpoint after @ must be an iteration number") from None
        out.append((name, iteration))
    if not out:
        raise ParamError("--models is empty")
    return out


def user_file(item: str) -> str:
    """Register ``ARCH=FILE`` as a user checkpoint; its registry name (a clear ParamError if not)."""
    from nets import registry
    from nets.loading import ModelLoadError

    arch, _, path = item.partition("=")
    if arch not in registry.arch_names():
        raise ParamError(f"{item!r}: unknown architecture {arch!r} (known: "
                         f"{', '.join(registry.arch_names())})")
    try:
        return registry.register_user_checkpoint(path, arch).name
    except (ModelLoadError, ValueError) as exc:
        raise ParamError(f"{item!r}: {exc}") from None


def load_models(specs: list[tuple[str, int]]):
    """[(label, Classifier)]; a missing or broken weights file is a clear ParamError."""
    from nets import registry
    from nets.loading import ModelLoadError

    models = []
    for name, iteration in specs:
        entry = registry.get(name)
        if not entry.available():
            raise ParamError(f"{name}: its weights are not on this machine ({entry.title})")
        try:
            model = entry.load(iteration)
        except (ModelLoadError, ValueError, FileNotFoundError) as exc:
            raise ParamError(f"{name}: {exc}") from None
        models.append((f"{name}@{iteration}" if iteration else name, model))
    return models


def cmd_predict(args, render_frame) -> int:
    import torch

    from nets.infer import predict

    if not 1 <= args.top <= 1000:
        raise ParamError(f"--top {args.top}: choose 1..1000")
    models = load_models(parse_models(args.models))
    frame = render_frame(args)
    x = torch.from_numpy(frame.as_float())
    result = {label: predict(model, x, args.top)[0] for label, model in models}
    if args.json:
        print(json.dumps({"object": args.object or DISCRETE["object"],
                          "background": args.background or DISCRETE["background"],
                          "set": args.set, "predictions": result}, indent=2))
        return 0
    for label, rows in result.items():
        print(label)
        for r in rows:
            print(f"  {r['prob'] * 100:6.2f}%  {r['logit']:7.3f}  {r['index']:4d}  {r['label']}")
    return 0


def describe(name: str) -> dict:
    from nets import registry

    entry = registry.get(name)
    path = entry.weights_path()
    return {
        "name": name, "title": entry.title, "arch": entry.arch, "training": entry.training,
        "available": entry.available(), "weights": str(path) if path else None,
        "checkpoints": entry.checkpoints() if entry.available() else [],
        "layers": [{"name": l.name, "channels": l.channels, "size": l.size} for l in entry.layers],
    }


def cmd_models(args) -> int:
    from nets import registry

    rows = [describe(n) for n in registry.names()]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        mark = "yes" if r["available"] else "no "
        layers = ", ".join(l["name"] for l in r["layers"])
        print(f"{mark}  {r['name']:<22} {r['title']}")
        print(f"     layers: {layers}")
        if r["available"] and len(r["checkpoints"]) > 1:
            print(f"     checkpoints: {r['checkpoints']}")
    print("(yes = its weights are on this machine)")
    return 0
