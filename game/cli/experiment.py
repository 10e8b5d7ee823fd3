"""`perturber experiment`: the thesis' quantitative robustness experiments, each one command.

  perturber experiment yaw-fluctuation [--models A,B] [--objects dog,cat,...]
      [--yaws ...] [--pitches ...] [--distances ...] [--top 10] --out DIR
  perturber experiment backgrounds [--models A,B] [--objects ...]
      [--backgrounds lawn,street,noise] [--conditions plain,blur,flat,desaturated]
      [--yaws -70,-45,-20] --out DIR

Both take --workers N, --backend inprocess|local (default local), --ray ADDRESS and
--net-backend auto|torch|onnx|openvino (what runs the networks in every process),
write CSV + PNG + JSON to --out and print the JSON summary with --json. Lists that
start with a minus sign need "=": --yaws=-70,-45,-20.
See docs/experiments.md.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from game.cli import values


def _fmt(values) -> str:
    return ",".join(f"{v:g}" for v in values)


def add_commands(sub) -> None:
    from game.batch.experiments import backgrounds as bg
    from game.batch.experiments import yaw_fluctuation as yf
    from game.batch.experiments.common import DEFAULT_MODELS, OBJECTS
    from game.cli.args import add_backend_option

    exp = sub.add_parser("experiment", help="the thesis' quantitative robustness experiments: "
                                            "yaw-fluctuation, backgrounds")
    kinds = exp.add_subparsers(dest="experiment", required=True)

    def common(p):
        p.add_argument("--models", default=",".join(DEFAULT_MODELS),
                       help="comma-separated registry names (NAME@ITERATION for a checkpoint) "
                            "or py:module:callable (default: %(default)s)")
        p.add_argument("--objects", default=",".join(OBJECTS),
                       help="a subset of %(default)s")
        p.add_argument("--out", required=True, metavar="DIR", help="output folder")
        p.add_argument("--backend", default="local", choices=("inprocess", "local"),
                       help="where renders and inference run (default: local processes)")
        add_backend_option(p, "--net-backend")  # what runs the networks; --backend: where
        p.add_argument("--workers", type=values.count(1, 256), default=None,
                       help="processes (local) or tasks in flight (default: min(4, cores))")
        p.add_argument("--ray", metavar="ADDRESS", default=None,
                       help="run on a Ray cluster (host:port, ray://host:10001, auto, or "
                            "local to start one here); needs pip install 'perturber[ray]'")
        p.add_argument("--thumb", type=values.count(0, 224), default=48,
                       help="side of the input thumbnails in the *_inputs.png sheet (0: none)")
        p.add_argument("--json", action="store_true", help="print the JSON summary")

    yaw = kinds.add_parser("yaw-fluctuation",
                           help="top-10 logit fluctuation under camera yaw")
    common(yaw)
    yaw.add_argument("--yaws", default=_fmt(yf.YAWS),
                     help=f"degrees, must include the prototype {yf.PROTOTYPE_YAW:g} "
                          "(default: %(default)s)")
    yaw.add_argument("--pitches", default=_fmt(yf.PITCHES), help="degrees (default: %(default)s)")
    yaw.add_argument("--distances", default=_fmt(yf.DISTANCES),
                     help="factors of the object's preferred camera distance "
                          "(default: %(default)s)")
    yaw.add_argument("--top", type=values.count(1, 1000), default=yf.TOP,
                     help="the prototype's top classes compared (default %(default)s)")
    back = kinds.add_parser("backgrounds",
                            help="how often the top-1 changes with the background")
    common(back)
    back.add_argument("--backgrounds", default=",".join(bg.BACKGROUNDS),
                      help="built-in names, generated (noise) or image paths "
                           "(default: %(default)s; the grey reference is always added)")
    back.add_argument("--conditions", default=",".join(bg.CONDITIONS),
                      help="subset of %(default)s")
    back.add_argument("--yaws", default=_fmt(bg.YAWS),
                      help="views of each object, degrees (default: %(default)s)")


def run(args) -> int | None:
    if args.command != "experiment":
        return None
    from game.batch.experiments.common import OBJECTS, check_models, parse_names
    from game.cli.args import check_backend
    from game.core.params import ParamError

    models = check_models([s.strip() for s in args.models.split(",") if s.strip()])
    if not models:
        raise ParamError("--models is empty")
    objects = parse_names(args.objects, list(OBJECTS), "objects")
    if args.workers is not None and args.workers < 1:
        raise ParamError("--workers must be at least 1")
    if not 0 <= args.thumb <= 224:
        raise ParamError(f"--thumb {args.thumb}: choose 0..224")
    check_backend(args, "--net-backend")
    common = dict(models=models, objects=tuple(objects), backend=args.backend,
                  workers=args.workers, ray=args.ray, thumb=args.thumb, inference=args.inference)
    from game.core.outputs import check_output_dir

    out = check_output_dir(args.out, "--out")
    if args.experiment == "yaw-fluctuation":
        report = _yaw(args, out, common)
    else:
        report = _backgrounds(args, out, common)
    report["command"] = "perturber " + " ".join(sys.argv[1:]) if sys.argv else ""
    from game.batch.experiments.common import write_json

    write_json(out / f"{report['experiment'].replace('-', '_')}.json", report)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(_table(report))
        print(f"wrote {out}/ ({report['points']} points, {report['wall_s']} s)")
    return 0


def _yaw(args, out: Path, common: dict) -> dict:
    from game.batch.experiments import yaw_fluctuation as yf
    from game.batch.experiments.common import parse_floats
    from game.core.params import ParamError

    if not 1 <= args.top <= 1000:
        raise ParamError(f"--top {args.top}: choose 1..1000")
    return yf.run(out, yaws=tuple(parse_floats(args.yaws, "yaws")),
                  pitches=tuple(parse_floats(args.pitches, "pitches")),
                  distances=tuple(parse_floats(args.distances, "distances")), k=args.top, **common)


def _backgrounds(args, out: Path, common: dict) -> dict:
    from game.batch.experiments import backgrounds as bg
    from game.batch.experiments.common import parse_floats, parse_names

    backgrounds = [s.strip() for s in args.backgrounds.split(",") if s.strip()]
    conditions = parse_names(args.conditions, list(bg.CONDITIONS), "conditions")
    return bg.run(out, backgrounds=tuple(backgrounds), conditions=tuple(conditions),
                  yaws=tuple(parse_floats(args.yaws, "yaws")), **common)


def _table(report: dict) -> str:
    """The summary as a Markdown table (what docs/experiments.md shows)."""
    from game.batch.experiments.report import markdown

    return markdown(report)
