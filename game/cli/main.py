"""The `perturber` command line.

  perturber [--offscreen] [--screenshot FILE] [--backend B] [scene options]   run the app
  perturber render [scene options] --out FILE.png               the 224x224 network input
  perturber render --list-params                                every parameter as JSON
  perturber predict [scene options] [--models A,B] [--top K] [--backend B] [--json]   top-K
  perturber models [--json]                                     models, weights, layers
  perturber weights list | fetch NAME...                        published weights files
  perturber bench [--frames N] [--backend B] [--json]          per-stage timings, fps

A bad value, file or model is one line on stderr and status 2; an unexpected error is
one line saying where to report it (status 1), with its traceback after ``--debug``.
"""
from __future__ import annotations

import argparse
import faulthandler
import json
import sys
import traceback
from pathlib import Path

from game.cli.args import (add_backend_option, add_scene_options, finish_scene_options,
                           initial_params, merge_scene_options, parse_size,
                           render_frame, scene_assignments)
from game.core import environment
from game.core.params import CHOICES, DISCRETE, MAY_BE_EMPTY, PARAMS, ParamError


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
    parser.add_argument("--no-gui-cache", dest="gui_cache", action="store_false",
                        help="draw every widget in every drawn frame (by default the parts "
                             "of the GUI nobody touches are shown from a cached picture)")
    parser.add_argument("--debug", action="store_true",
                        help="print the traceback of an unexpected error")
    add_backend_option(parser, default="auto")
    add_scene_options(parser)
    sub = parser.add_subparsers(dest="command")
    render = sub.add_parser("render", help="write the 224x224 network input as PNG (headless)")
    add_scene_options(render, subcommand=True)
    render.add_argument("--out", metavar="FILE.png", help="output PNG")
    render.add_argument("--list-params", action="store_true",
                        help="print every parameter as JSON: numeric ones with group, min, max "
                             "and default; discrete ones with kind, choices and default")
    for module in command_modules():
        module.add_commands(sub)
    for command in sub.choices.values():  # also after the subcommand; SUPPRESS keeps a global one
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="print the traceback of an unexpected error")
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
    "game.cli.weights",  # weights list, weights fetch
)


def command_modules():
    import importlib

    return [importlib.import_module(name) for name in COMMAND_MODULES]


DISCRETE_HELP = {
    "object": "a built-in pair name or a 3D file (OBJ, glTF, GLB)",
    "background": "a built-in background name or an image file",
}


def discrete_as_dict(name: str) -> dict:
    """A discrete parameter: kind "choice" (one of ``choices``) or "text"."""
    row = {"name": name, "group": "discrete", "kind": "choice" if name in CHOICES else "text"}
    if name in CHOICES:
        row["choices"] = list(CHOICES[name])
    row.update(default=DISCRETE[name], may_be_empty=name in MAY_BE_EMPTY)
    if name in DISCRETE_HELP:
        row["help"] = DISCRETE_HELP[name]
    return row


def cmd_list_params() -> int:
    rows = [p.as_dict() for p in PARAMS] + [discrete_as_dict(name) for name in DISCRETE]
    print(json.dumps(rows, indent=2))
    return 0


def cmd_render(args) -> int:
    if args.list_params:
        return cmd_list_params()
    if not args.out:
        raise ParamError("render needs --out FILE.png (or --list-params)")
    from game.core.outputs import atomic_path, check_output

    # A frame is quick to make again: an existing file is replaced.
    out = check_output(args.out, force=True, what="--out", suffixes=(".png",))
    frame = render_frame(args)
    from PIL import Image

    with atomic_path(out) as part:
        Image.fromarray(frame.image).save(part)
    print(f"wrote {out} (224x224 network input)")
    return 0


# What Panda3D writes a window screenshot as, by the file's suffix.
SCREENSHOT_TYPES = (".png", ".jpg", ".jpeg", ".bmp", ".tga", ".tif", ".tiff")


def cmd_app(args) -> int:
    from game.render.prc import has_display

    offscreen = args.offscreen or not has_display()
    screenshot = args.screenshot
    if offscreen and not screenshot:
        screenshot = "out/window.png"
        print("no display: running offscreen and saving a screenshot of the window", file=sys.stderr)
    from game.core.outputs import check_output

    if screenshot:  # both before the app starts: it takes seconds
        check_output(screenshot, force=True, what="--screenshot", suffixes=SCREENSHOT_TYPES)
    if args.record:  # the recorder never replaces a file: it takes the next free name
        check_output(args.record, force=True, what="--record")
    scene_assignments(args)
    from game.core.torch_first import import_torch_first

    import_torch_first()
    from game.app.root import PerturberApp

    size = parse_size(args.size)
    # A screenshot shows what the models on the asked backend give; an interactive
    # window does not wait for a model's ONNX export (it runs on torch meanwhile).
    app = PerturberApp(params=initial_params(args), offscreen=offscreen, size=size,
                       backend=args.inference, gui_cache=args.gui_cache,
                       background_exports=not screenshot)
    if screenshot:  # the app exits after its first frames: no visualisations started
        app.featvis.paused = True
    finish_scene_options(args, app.params, app.controller)
    if args.kiosk:  # after the scene options: their state is the one the kiosk resets to
        app.attach_kiosk()
    if args.record:
        print(f"recording to {app.tools['recorder'].start(Path(args.record))}", file=sys.stderr)
    if screenshot:
        path = app.save_window_screenshot(Path(screenshot))
        print(f"screenshot of the whole window: {path.resolve()}")
        app.destroy()
        return 0
    app.run()
    return 0


# The project's errors about what it was given (a value, a file, a model, a recording):
# (module, class). Looked up in sys.modules: a module never imported raised none of them.
USER_ERRORS = (
    ("game.core.params", "ParamError"),
    ("models3d.mesh", "AssetError"),
    ("game.tools.recording.format", "RecordingError"),
    ("game.app.input.input_map", "InputMapError"),
    ("game.app.input.tour", "TourError"),
    ("nets.loading", "ModelLoadError"),
    ("nets.attacks.base", "AttackError"),
    ("nets.editing.settings", "EditError"),
    ("nets.featvis.lucent_compat", "FeatureVisUnavailable"),
    ("nets.training.pack", "PackError"),
    ("nets.training.state", "StateMismatch"),
    ("nets.download", "DownloadError"),
    ("nets.backends.onnx_backend", "OnnxUnavailable"),
)
REPORT = ("this is a bug in Perturber: please report it to its maintainers with the command "
          "and what it prints with --debug")


def is_user_error(exc: BaseException) -> bool:
    return any(module in sys.modules and isinstance(exc, getattr(sys.modules[module], name))
               for module, name in USER_ERRORS)


def report(exc: Exception, debug: bool) -> int:
    """Say on stderr what went wrong; the exit status. A user error is one line (status
    2); anything else a line saying where to report it, the traceback with ``--debug`` (1)."""
    if is_user_error(exc):
        print(f"perturber: error: {exc}", file=sys.stderr)
        return 2
    print(f"perturber: internal error ({type(exc).__name__}: {exc}); {REPORT}", file=sys.stderr)
    if debug:
        traceback.print_exception(exc)
    return 1


def run(args) -> int:
    if args.command == "render":
        return cmd_render(args)
    if args.command is not None:
        from game.core.torch_first import import_torch_first

        import_torch_first()
        for module in command_modules():
            status = module.run(args)
            if status is not None:
                return status
    return cmd_app(args)


def main(argv: list[str] | None = None) -> int:
    if not faulthandler.is_enabled():  # a native crash (GL driver, torch) prints where it was
        faulthandler.enable()
    args = build_parser().parse_args(argv)
    merge_scene_options(args)
    try:
        environment.check()
        return run(args)
    except Exception as exc:  # noqa: BLE001  every failure ends here, said once
        return report(exc, args.debug)


if __name__ == "__main__":
    sys.exit(main())
