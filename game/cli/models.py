"""`perturber predict` and `perturber models`: the networks from the command line.

  perturber predict [scene options] [--models A,B@ITER] [--top K] [--backend B] [--json]
  perturber models [--json]
"""
from __future__ import annotations

import json

from game.cli import values
from game.core.params import DISCRETE, ParamError


def add_commands(sub) -> None:
    from game.cli.args import MODELS_HELP, add_backend_option, add_scene_options

    predict = sub.add_parser("predict", help="render the scene and print each model's top-K")
    add_scene_options(predict, subcommand=True)
    predict.add_argument("--models", default=f"{DISCRETE['model1']},{DISCRETE['model2']}",
                         help=MODELS_HELP + " (default: %(default)s)")
    predict.add_argument("--top", type=values.count(1, 1000), default=5, help="how many classes (default 5)")
    add_backend_option(predict)
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

    from game.cli.args import check_backend, load_models, parse_models, render_frame
    from nets.backends import make_backend
    from nets.labels import class_names
    from nets.predict import topk

    if not 1 <= args.top <= 1000:
        raise ParamError(f"--top {args.top}: choose 1..1000")
    check_backend(args)
    models = load_models(parse_models(args.models))
    frame = render_frame(args)
    x = torch.from_numpy(frame.as_float())
    result = {label: topk(make_backend(args.inference, model).forward(x).logits, args.top,
                          class_names(model).label)[0]
              for label, model in models}
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
    from nets.download import how_to_get

    entry = registry.get(name)
    path = entry.weights_path()
    available = entry.available()
    return {
        "name": name, "title": entry.title, "arch": entry.arch, "training": entry.training,
        "robustness": entry.robustness,
        "available": available, "weights": str(path) if path else None,
        "get": "" if available else how_to_get(name, entry.source),
        "checkpoints": entry.checkpoints() if available else [],
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
        if r["robustness"]:
            print(f"     robustness: {r['robustness']}")
        print(f"     layers: {layers}")
        if r["available"] and len(r["checkpoints"]) > 1:
            print(f"     checkpoints: {r['checkpoints']}")
        if r["get"]:
            print(f"     get: {r['get']}")
    print("(yes = its weights are on this machine; `perturber weights list` lists the "
          "published files)")
    return 0
