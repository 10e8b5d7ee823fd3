"""``perturber soak --minutes M [--kiosk] [--stall S] [--backend B]``: random mouse and
gamepad input, offscreen."""
from __future__ import annotations

import json
import sys

from game.cli import values
from game.core.outputs import atomic, check_output


def add_commands(sub) -> None:
    from game.cli.args import add_backend_option

    p = sub.add_parser("soak", help="drive random mouse and gamepad input; report crashes, "
                                    "frame-time percentiles and memory over time")
    p.add_argument("--minutes", type=values.number(above=0, hi=7 * 24 * 60), default=1.0,
                   help="how long (default 1)")
    p.add_argument("--kiosk", action="store_true",
                   help="in kiosk mode, with quiet spells so the attract loop and resets run")
    p.add_argument("--seed", type=values.count(0), default=0)
    p.add_argument("--sample", type=values.number(lo=0.5, hi=3600), default=10.0, metavar="S",
                   help="memory sample every S seconds (default 10)")
    p.add_argument("--stall", type=values.number(lo=0.1, hi=3600), default=5.0, metavar="S",
                   help="report every frame that takes S seconds or longer, with the stacks "
                        "of all threads S seconds into it (default 5)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--out", metavar="FILE.json", help="also write the JSON report here")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    add_backend_option(p)


def run(args) -> int | None:
    if args.command != "soak":
        return None
    from game.app.root import PerturberApp
    from game.app.soak import format_report, soak
    from game.cli.args import check_backend

    if args.out:
        check_output(args.out, force=args.force)
    check_backend(args)
    # As the interactive app runs: a model's missing ONNX graph is exported in the background.
    app = PerturberApp(offscreen=True, size=(1280, 800), backend=args.inference,
                       gui_cache=getattr(args, "gui_cache", True), background_exports=True)
    app.controller.use_preferred_camera()
    quiet = 0.0
    if args.kiosk:
        app.attach_kiosk(idle_s=8.0, reset_s=20.0)
        quiet = 30.0
    progress = None if args.json else (
        lambda s: print(f"  {s['t']:7.1f} s  {s['frames']:7d} frames  {s['rss_mb']:.1f} MiB",
                        file=sys.stderr))
    try:
        report = soak(app, args.minutes, seed=args.seed, sample_s=args.sample, quiet_s=quiet,
                      progress=progress, stall_s=args.stall)
    finally:
        app.destroy()
    print(json.dumps(report, indent=2) if args.json else format_report(report), flush=True)
    if args.out:
        try:
            with atomic(args.out) as f:
                f.write(json.dumps(report, indent=2))
        except OSError as exc:
            print(f"perturber: error: could not write {args.out}: {exc}", file=sys.stderr)
            return 1
    return 1 if report["crashes"] else 0
