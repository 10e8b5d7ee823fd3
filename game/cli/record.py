"""`perturber replay` and `perturber export`: recorded sessions (see game/tools/recording/).

  perturber replay FILE [--speed S] [--headless] [--size WxH] [--backend B]
  perturber export FILE [--video OUT.mp4] [--fps N] [--csv OUT.csv] [--size WxH] [--force]
                   [--backend B]

The app that plays the session back runs the networks on ``--backend`` (as the app's).

Exit codes of ``replay --headless``: 0 every recorded digest matched (a damaged file:
every digest before the damage), 1 a mismatch (the first is reported), 2 not a
recording / bad options.
"""
from __future__ import annotations

import sys
from pathlib import Path

from game.cli import values
from game.cli.args import add_backend_option, check_backend, parse_size
from game.core.params import ParamError


def add_commands(sub) -> None:
    replay = sub.add_parser("replay", help="play a recorded session back (--headless: verify it)")
    replay.add_argument("file", help="a recording (perturber --record FILE)")
    replay.add_argument("--speed", type=values.number(above=0, hi=100), default=1.0, help="time scale (default 1)")
    replay.add_argument("--headless", action="store_true",
                        help="offscreen, as fast as possible, verifying every frame digest")
    replay.add_argument("--size", help="window size WxH (default: the recorded one)")
    add_backend_option(replay)
    export = sub.add_parser("export", help="a recorded session to a video and/or CSV")
    export.add_argument("file", help="a recording (perturber --record FILE)")
    export.add_argument("--video", metavar="OUT.mp4", help="H.264 video of the window")
    export.add_argument("--fps", type=values.count(1, 120), default=25, help="video frame rate (default 25)")
    export.add_argument("--csv", metavar="OUT.csv", help="time, parameters, top-5 per model")
    export.add_argument("--size", help="window size WxH for the video (default: the recorded one)")
    export.add_argument("--force", action="store_true", help="replace existing output files")
    add_backend_option(export)


def run(args) -> int | None:
    if args.command not in ("replay", "export"):
        return None
    from game.tools.recording import format as fmt

    rec = fmt.read(Path(args.file))
    if rec.damage:
        print(f"perturber: damaged recording: {rec.damage}", file=sys.stderr)
    if args.command == "replay":
        return cmd_replay(args, rec)
    return cmd_export(args, rec)


def _size(args, rec) -> tuple[int, int]:
    if args.size:
        return parse_size(args.size)
    window = rec.header.get("window") or (1280, 800)
    return int(window[0]), int(window[1])


def make_app(rec, args, offscreen: bool):
    """The app that plays ``rec`` back: its window size and ``--backend`` from ``args``."""
    from game.app.root import PerturberApp
    from game.tools.recording.replay import initial_params

    return PerturberApp(params=initial_params(rec), offscreen=offscreen, size=_size(args, rec),
                        backend=args.inference)


def cmd_replay(args, rec) -> int:
    from game.render.prc import has_display
    from game.tools.recording import replay

    if not args.speed > 0:
        raise ParamError(f"--speed {args.speed}: must be > 0")
    check_backend(args)
    headless = args.headless or not has_display()
    if headless and not args.headless:
        print("no display: replaying headless", file=sys.stderr)
    app = make_app(rec, args, offscreen=headless)
    if headless:
        try:
            report = replay.verify(app, rec)
        finally:
            app.destroy()
        print(report.summary(rec))
        return 1 if report.mismatch else 0
    replay.play_live(app, rec, args.speed, on_done=lambda r: print(r.summary(rec)))
    app.run()
    return 0


def cmd_export(args, rec) -> int:
    from game.core.outputs import check_output
    from game.tools.recording.export import check_video, write_csv, write_video

    if not (args.video or args.csv):
        raise ParamError("export needs --video OUT.mp4 and/or --csv OUT.csv")
    for out in (args.csv, args.video):  # every output, before any work
        if out:
            check_output(out, force=args.force)
    if args.video:
        check_video(rec, args.fps)
        check_backend(args)
    if args.csv:
        rows = write_csv(rec, Path(args.csv))
        print(f"wrote {args.csv} ({rows} inferred frames)")
    if args.video:
        app = make_app(rec, args, offscreen=True)
        try:
            report, n = write_video(app, rec, Path(args.video), args.fps)
        finally:
            app.destroy()
        print(f"wrote {args.video} ({n} frames at {args.fps} fps, {rec.duration:.2f} s)")
        for w in rec.skipped + report.warnings:
            print(f"warning: {w}", file=sys.stderr)
    return 0
