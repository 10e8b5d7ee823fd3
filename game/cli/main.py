"""The `perturber` command line.

  perturber [--offscreen] [--screenshot FILE] [scene options]   run the app
  perturber render [scene options] --out FILE.png               the 224x224 network input
  perturber render --list-params                                every parameter as JSON
  perturber predict [scene options] [--models A,B] [--top K] [--json]   top-K per model
  perturber models [--json]                                     models, weights, layers
  perturber bench [--json]                                      per-stage timings, fps
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from game.core.params import PARAMS, ParamError, ParamState, parse_assignment


def add_scene_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--object", help="a built-in pair name (e.g. dog_cat) or a 3D file path")
    p.add_argument("--background", help="a built-in background name (e.g. lawn) or an image path")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="set a parameter (repeatable); see `perturber render --list-params`")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perturber", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offscreen", action="store_true",
                        help="render without a display (EGL); implied when no display is found")
    parser.add_argument("--screenshot", metavar="FILE.png",
                        help="save a screenshot of the whole window after start-up and exit")
    parser.add_argument("--record", metavar="FILE.jsonl",
                        help="record the session (every change, action and frame digest) to FILE")
    parser.add_argument("--kiosk", action="store_true",
                        help="exhibition mode: fullscreen, attract loop when idle, lockdown; "
                             "quit with Ctrl+Shift+Q")
    parser.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800)")
    add_scene_options(parser)
    sub = parser.add_subparsers(dest="command")
    render = sub.add_parser("render", help="write the 224x224 network input as PNG (headless)")
    add_scene_options(render)
    render.add_argument("--out", metavar="FILE.png", help="output PNG")
    render.add_argument("--list-params", action="store_true",
                        help="print every parameter (name, group, min, max, default) as JSON")
    for module in command_modules():
        module.add_commands(sub)
    return parser


# Subcommands that use the networks live in their own modules. Each has
# ``add_commands(sub)`` (argparse sub-parsers) and ``run(args) -> int | None``
# (None: not one of its commands). torch is imported before Panda3D for them.
COMMAND_MODULES = (
    "game.cli.models",   # predict, models
    "game.cli.featvis",  # featvis
    "game.cli.attack",   # attack
    "game.cli.bench",        # bench
    "game.cli.train",    # train
    "game.cli.train_pack",  # train-pack
    "game.cli.evaluate", # evaluate
    "game.cli.record",   # replay, export
    "game.cli.soak",     # soak
    "game.cli.sweep",    # sweep
    "game.cli.experiment",
)


def command_modules():
    import importlib

    return [importlib.import_module(name) for name in COMMAND_MODULES]


def scene_assignments(args) -> list[tuple[str, str]]:
    """The --set values, parsed and validated (a dry run on a scratch state)."""
    pairs = [parse_assignment(a) for a in args.set]
    ParamState().update(pairs)
    return pairs


def initial_params(args) -> ParamState:
    """Object and background go in before the scene loads anything."""
    params = ParamState()
    if args.object:
        params.set("object", args.object)
    if args.background:
        params.set("background", args.background)
    return params


def finish_scene_options(args, params: ParamState, controller) -> None:
    """The object's preferred camera first, then the user's --set values win."""
    controller.use_preferred_camera()
    params.update(scene_assignments(args))


def cmd_list_params() -> int:
    print(json.dumps([p.as_dict() for p in PARAMS] + [
        {"name": "object", "group": "discrete", "default": "dog_cat",
         "help": "a built-in pair name or a 3D file (OBJ, glTF, GLB)"},
        {"name": "background", "group": "discrete", "default": "lawn",
         "help": "a built-in background name or an image file"},
    ], indent=2))
    return 0


def render_frame(args):
    """The scene of the scene options, rendered headless: a ``Frame``."""
    scene_assignments(args)  # fail on bad --set before starting the renderer
    from game.render.headless import headless_pipeline

    params = initial_params(args)
    with headless_pipeline(params) as (_base, pipeline, controller):
        finish_scene_options(args, params, controller)
        return pipeline.render_now()


def cmd_render(args) -> int:
    if args.list_params:
        return cmd_list_params()
    if not args.out:
        raise ParamError("render needs --out FILE.png (or --list-params)")
    frame = render_frame(args)
    from PIL import Image

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(frame.image).save(out)
    print(f"wrote {out} (224x224 network input)")
    return 0


def cmd_app(args) -> int:
    from game.render.prc import has_display

    offscreen = args.offscreen or not has_display()
    screenshot = args.screenshot
    if offscreen and not screenshot:
        screenshot = "out/window.png"
        print("no display: running offscreen and saving a screenshot of the window", file=sys.stderr)
    scene_assignments(args)
    from game.cli.models import import_torch_first

    import_torch_first()
    from game.app.root import PerturberApp

    size = _parse_size(args.size)
    app = PerturberApp(params=initial_params(args), offscreen=offscreen, size=size)
    finish_scene_options(args, app.params, app.controller)
    if args.kiosk:  # after the scene options: their state is the one the kiosk resets to
        from game.app.input import kiosk

        app.tools["kiosk"] = kiosk.attach(app)
    if args.record:
        print(f"recording to {app.tools['recorder'].start(Path(args.record))}", file=sys.stderr)
    if screenshot:
        path = app.save_window_screenshot(Path(screenshot))
        print(f"screenshot of the whole window: {path.resolve()}")
        app.destroy()
        return 0
    app.run()
    return 0


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ParamError(f"--size expects WxH, e.g. 1280x800, got {text!r}") from None
    if not (320 <= w <= 8192 and 240 <= h <= 8192):
        raise ParamError(f"--size {text} is outside 320x240 .. 8192x8192")
    return w, h


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from models3d.mesh import AssetError

    try:
        if args.command == "render":
            return cmd_render(args)
        if args.command is not None:
            from game.cli.models import import_torch_first

            import_torch_first()
            for module in command_modules():
                status = module.run(args)
                if status is not None:
                    return status
        return cmd_app(args)
    except (ParamError, AssetError) as exc:
        print(f"perturber: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
