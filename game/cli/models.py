"""`perturber predict` and `perturber models`: the networks from the command line.

  perturber predict [scene options] [--models A,B@ITER] [--top K] [--json]
  perturber models [--json]
"""
from __future__ import annotations

import json

from game.core.params import DISCRETE, ParamError


def add_commands(sub) -> None:
    from game.cli.args import add_scene_options

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
        return cmd_predict(args)
    if args.command == "models":
        return cmd_models(args)
    return None


def cmd_predict(args) -> int:
    import torch

    from game.cli.args import load_models, parse_models, render_frame
    from nets.predict import predict

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
