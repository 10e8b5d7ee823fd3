"""`perturber sweep`: one or two parameters over a grid, every point rendered and classified.

  perturber sweep --param yaw=-180:180:13 [--param hue=-0.5:0.5:9] [scene options]
                  [--models A,B] [--layer L --channels 1,2] [--net-backend B] --out DIR [--json]

Writes DIR/sweep.csv (one row per point), DIR/heatmap-MODEL.png, with --channels
DIR/tuning-MODEL-LAYER-chC.png, and DIR/sweep.json (the job, axes, backend, timing).
Rows are streamed to sweep.csv and to DIR/sweep.points.jsonl as points finish, so a killed
sweep keeps its work and ``--resume`` computes only the rest; the finished sweep rewrites
sweep.csv in point order. docs/sweeps.md has the columns, the pictures and measured throughput.
"""
from __future__ import annotations

import json
import os
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path

from game.cli import values
from game.core.params import BY_NAME, DISCRETE, ParamError
from game.core.parsers import parse_channels
from game.batch.sweep.job import ProbeJob

MAX_AXES = 2
MAX_POINTS = 20_000
POINTS_PER_SECOND = 25.0  # measured here for one model (docs/sweeps.md): for the estimate
OUTPUTS = ("sweep.csv", "sweep.json")
# --backend auto: worker processes take 5-15 s to start, and on 2 busy cores they never
# won that back (1280 points: this process 24.0 points/s, 2 workers 19.7; docs/sweeps.md).
AUTO_LOCAL_POINTS = 500
AUTO_LOCAL_CORES = 4


def add_commands(sub) -> None:
    from game.cli.args import add_backend_option, add_scene_options

    p = sub.add_parser("sweep", help="sweep 1-2 parameters over a grid: CSV, heat maps, tuning curves")
    p.add_argument("--param", action="append", default=[], metavar="NAME=START:STOP:N",
                   help="a swept parameter (once or twice; the first runs down the rows)")
    add_scene_options(p, subcommand=True)
    p.add_argument("--models", default=DISCRETE["model1"],
                   help="comma-separated registry names, NAME@ITERATION, or py:module:function "
                        "(default: %(default)s)")
    p.add_argument("--layer", help="a tappable layer of the first model (others: same depth)")
    p.add_argument("--channels", default="", help="channels of --layer, e.g. 3,17,42")
    p.add_argument("--top", type=values.count(1, 1000), default=5,
                   help="classes per model in the CSV (default 5)")
    p.add_argument("--thumb", type=values.count(1, 224), default=48,
                   help="thumbnail side in the tuning curves (default 48; kept only with --channels)")
    p.add_argument("--backend", choices=("auto", "inprocess", "local"), default="auto",
                   help="where points run: this process, or local worker processes; auto "
                        "(default): local with --workers > 1, or for "
                        f"{AUTO_LOCAL_POINTS} points or more on {AUTO_LOCAL_CORES}+ cores; "
                        "else this process (workers take seconds to start)")
    add_backend_option(p, "--net-backend")  # what runs the networks; --backend: where
    p.add_argument("--workers", type=values.count(1, 256),
                   help="worker processes or Ray tasks at once (default: the number of cores, "
                        "at most 4; more than the cores only with --force-workers)")
    p.add_argument("--force-workers", action="store_true",
                   help="allow more --workers than this machine has cores")
    p.add_argument("--ray", metavar="ADDRESS",
                   help='run on Ray: "local" starts one here; "auto" or host:port for a cluster')
    p.add_argument("--chunk", type=values.count(1, 10_000),
                   help="points per task (default 16; a multiple of --batch gives the same numbers)")
    p.add_argument("--batch", type=values.count(1, 1024), default=ProbeJob.batch,
                   help="images per forward pass (default %(default)s)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--resume", action="store_true",
                   help="continue the sweep in DIR: only the points not yet in its "
                        "sweep.points.jsonl are computed (the same sweep options are required)")
    p.add_argument("--force", action="store_true", help="start afresh over an earlier sweep in DIR")
    p.add_argument("--json", action="store_true", help="print sweep.json's summary to stdout")


def run(args) -> int | None:
    return cmd_sweep(args) if args.command == "sweep" else None


def model_specs(text: str) -> tuple[str, ...]:
    """Registry names (checked by ``parse_models``) and ``py:`` specs, in order."""
    from game.cli.args import parse_models

    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items:
        raise ParamError("--models is empty")
    out = []
    for item in items:
        if item.startswith("py:"):
            out.append(item)
        else:
            (name, it), = parse_models(item)
            out.append(f"{name}@{it}" if it else name)
    return tuple(out)


def build(args):
    """(axes, points, job) from the arguments; ParamError on anything wrong."""
    from game.cli.args import scene_assignments
    from game.batch.sweep.grid import grid_points, parse_axis
    from game.batch.sweep.job import ProbeJob, SceneSpec

    if not args.param:
        raise ParamError("sweep needs --param NAME=START:STOP:N (once or twice)")
    if len(args.param) > MAX_AXES:
        raise ParamError(f"{len(args.param)} --param given: a sweep has 1 or 2 axes")
    axes = [parse_axis(t) for t in args.param]
    points = grid_points(axes)
    values, discrete = {}, {}
    for name, value in scene_assignments(args):
        if name in ("object", "background"):
            discrete[name] = str(value)
        elif name in BY_NAME and BY_NAME[name].scene:
            values[name] = value
        else:
            raise ParamError(f"--set {name}: a sweep takes scene parameters only")
    scene = SceneSpec(object=args.object or discrete.get("object") or DISCRETE["object"],
                      background=args.background or discrete.get("background")
                      or DISCRETE["background"])
    scene = scene.with_values(**{k: float(v) for k, v in values.items()})
    channels = parse_channels(args.channels, what="--channels")
    if channels and not args.layer:
        raise ParamError("--channels needs --layer")
    job = ProbeJob(scene=scene, models=model_specs(args.models), layer=args.layer or None,
                   channels=channels, top=args.top, thumb=args.thumb if channels else 0,
                   batch=args.batch)
    check_size(len(points), job)
    if args.workers and args.workers > (os.cpu_count() or 1) and not args.force_workers:
        raise ParamError(f"--workers {args.workers}: this machine has {os.cpu_count()} cores; "
                         "more workers only share them (--force-workers to insist)")
    job.check()
    return axes, points, job


def check_size(n: int, job: ProbeJob) -> None:
    """Refuse a sweep past ``MAX_POINTS``, saying what it would cost."""
    if n <= MAX_POINTS:
        return
    per_point = 2_000 + (job.thumb ** 2 * 3 if job.channels else 0)
    hours = n * len(job.models) / POINTS_PER_SECOND / 3600
    raise ParamError(f"{n} points is more than a sweep takes ({MAX_POINTS}): about {hours:.1f} h "
                     f"here and {n * per_point / 2**20:.0f} MiB of results; use fewer steps")


def choose_backend(backend: str, points: int, workers: int | None,
                   cores: int | None = None) -> str:
    """``auto``: local processes when --workers > 1 is given, or for a big sweep on a
    machine with AUTO_LOCAL_CORES cores or more; else this process."""
    if backend != "auto":
        return backend
    if workers is not None:
        return "local" if workers > 1 else "inprocess"
    cores = cores or os.cpu_count() or 1
    return "local" if cores >= AUTO_LOCAL_CORES and points >= AUTO_LOCAL_POINTS else "inprocess"


class ProgressBar:
    """``[#####.....]  12/64  3.4 points/s`` on stderr: redrawn in place on a terminal,
    a line per tenth otherwise."""

    def __init__(self, stream=None, width: int = 30):
        self.stream, self.width = stream or sys.stderr, width
        self.start = time.perf_counter()
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self._last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        frac = done / total if total else 1.0
        tenth = int(frac * 10)
        if not self.tty and tenth == self._last_tenth and done != total:
            return
        self._last_tenth = tenth
        rate = done / max(1e-9, time.perf_counter() - self.start)
        fill = int(round(frac * self.width))
        text = f"[{'#' * fill}{'.' * (self.width - fill)}] {done}/{total}  {rate:.1f} points/s"
        end = "\n" if (done == total or not self.tty) else ""
        self.stream.write(("\r" if self.tty else "") + text + end)
        self.stream.flush()


def prepare_out(out: Path, resume: bool, force: bool) -> None:
    """Refuse to overwrite an earlier sweep unless resuming it or forced; check writability."""
    from game.batch.sweep import journal
    from game.core.outputs import check_output, check_output_dir

    check_output_dir(out, "--out")
    earlier = [n for n in (*OUTPUTS, journal.NAME) if (out / n).exists()]
    if resume and not (out / journal.NAME).is_file():
        raise ParamError(f"--resume: {out} holds no {journal.NAME} to continue")
    if earlier and not (resume or force):
        raise ParamError(f"{out} holds an earlier sweep ({', '.join(earlier)}); "
                         "--resume continues it, --force starts afresh")
    for name in OUTPUTS:
        check_output(out / name, force=True, what="sweep output")


def cmd_sweep(args) -> int:
    from game.batch.sweep import journal
    from game.batch.sweep.executor import Pool, default_chunk
    from game.batch.sweep.plots import save_figures
    from game.batch.sweep.table import CsvStream, write_csv
    from game.core.outputs import atomic

    axes, points, job = build(args)
    backend = "ray" if args.ray else choose_backend(args.backend, len(points), args.workers)
    out = Path(args.out)
    prepare_out(out, args.resume, args.force)
    print_ = journal.fingerprint(job, axes, points)
    done = journal.read(out / journal.NAME, print_) if args.resume else {}
    todo = [p for i, p in enumerate(points) if i not in done]
    index_of = [i for i in range(len(points)) if i not in done]
    if done:
        print(f"resuming: {len(done)} of {len(points)} points already done", file=sys.stderr)
    bar, first = ProgressBar(), []
    log = journal.Journal(out / journal.NAME, print_, resume=bool(done))
    stream = CsvStream(out / "sweep.csv", axes, job, points)
    stream.append(sorted(done.values(), key=lambda r: r.index))

    def progress(n: int, total: int) -> None:
        if n and not first:  # the first chunk back: workers started, models loaded
            first.extend((time.perf_counter(), n))
        bar(n, total)

    def finished(part) -> None:  # indices within ``todo`` -> the sweep's own
        for r in part:
            r.index = index_of[r.index]
        log.append(part)
        stream.append(part)

    try:
        with Pool(backend, workers=args.workers, ray_address=args.ray,
                  inference=args.inference) as pool:
            start = time.perf_counter()
            results = pool.map(job, todo, chunk=args.chunk, progress=progress,
                               on_results=finished) if todo else []
            end = time.perf_counter()
            workers, threads = pool.workers, pool.threads
    finally:
        log.close()
        stream.close()
    results = sorted([*done.values(), *results], key=lambda r: r.index)
    seconds = end - start
    steady = ((len(todo) - first[1]) / (end - first[0])
              if first and first[1] < len(todo) and end > first[0] else None)
    files = [write_csv(out / "sweep.csv", results, axes, job)]
    files += save_figures(out, results, axes, job)
    summary = {
        "command": ("perturber " + shlex.join(sys.argv[1:])) if sys.argv[1:2] == ["sweep"] else None,
        "axes": [str(a) for a in axes],
        "job": asdict(job),
        "points": len(points),
        "backend": backend, "ray": args.ray, "workers": 1 if backend == "inprocess" else workers,
        "inference_backend": args.inference,
        "torch_threads": threads, "chunk": args.chunk or default_chunk(job),
        "seconds": round(seconds, 3),
        "points_per_second": round(len(todo) / seconds, 2) if seconds > 0 else None,
        "resumed_points": len(done),
        # after the first chunk came back (start-up of workers and models excluded)
        "first_chunk_seconds": round(first[0] - start, 3) if first else None,
        "steady_points_per_second": round(steady, 2) if steady else None,
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "cpus": os.cpu_count(),
        "files": [p.name for p in files] + ["sweep.json"],
    }
    with atomic(out / "sweep.json") as f:
        f.write(json.dumps(summary, indent=2) + "\n")
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{len(todo)} points in {seconds:.1f} s ({summary['points_per_second']} points/s); "
              f"wrote {', '.join(str(out / f) for f in summary['files'])}")
    return 0
