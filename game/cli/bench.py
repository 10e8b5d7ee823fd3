"""`perturber bench`: where the time goes, measured on this machine.

Per stage (median and p90 in ms): render after a camera change (scene + post chain +
copy to RAM, the background from its cache) and after a background change, readback,
preprocess, each model's forward pass on the live backend (full, and to the shown
layer), activation and prediction drawing, and the window: a frame in which nothing
changed (main-thread CPU: the window is not drawn), one redrawn whole (the GUI's own
cost on this rasteriser, a new picture for the GUI cache included), and one after a
camera change with the GUI cache on and off.

Then the whole app, offscreen, one parameter change per frame, in the thesis' four
configurations (activations only / activations + predictions, one or two models):
input -> shown activations (+ top-5) per frame, frames per second, and the ratio
"frame / (render + bare forwards)" (the bare forwards: each enabled model's stage
"forward", one after the other). The configurations with predictions once more with the
window not drawn (render, inference and the views' updates only), with the same ratio:
what drawing the window adds. The last configuration and the forward passes again on
the other backend (torch, or onnx when the app is on torch), and the forward passes on
every further backend that works here (openvino); the worker mode's UI frame rate while
it infers; a sweep of one model in this process (points per second).

It says up front when it will take longer than a minute; ``--frames`` sets how long.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Callable

from game.cli import values

CONFIGS = (
    ("activations, 1 model", False, False),
    ("activations + predictions, 1 model", True, False),
    ("activations, 2 models", False, True),
    ("activations + predictions, 2 models", True, True),
)
HEADLINE = CONFIGS[-1][0]
WITHOUT_WINDOW = (CONFIGS[1], CONFIGS[3])  # with predictions: 1 and 2 models
RENDER = "render (scene + post chain + copy to RAM)"
BUDGET_S = 60.0


def run(args) -> int | None:
    return cmd_bench(args) if args.command == "bench" else None


def add_commands(sub) -> None:
    from game.cli.args import add_backend_option

    p = sub.add_parser("bench", help="per-stage timings and frames per second on this machine")
    p.add_argument("--frames", type=values.count(1, 10_000), default=40, help="frames per measurement (default 40)")
    add_backend_option(p)
    p.add_argument("--json", action="store_true", help="print JSON")


def stats(ms: list[float]) -> dict:
    ordered = sorted(ms)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return {"median_ms": round(statistics.median(ordered), 2), "p90_ms": round(p90, 2),
            "n": len(ordered)}


def timed(fn: Callable, n: int, clock: Callable[[], float] = time.perf_counter) -> list[float]:
    out = []
    for _ in range(n):
        t0 = clock()
        fn()
        out.append((clock() - t0) * 1e3)
    return out


def _wiggle(params, i: int) -> None:
    """A different frame every time: the camera yaw moves back and forth."""
    params.set("yaw", -45.0 + (i % 20) - 10.0)


def _redrawn(app) -> None:
    app.redraw.request()
    app.step()


def stage_timings(app, n: int) -> dict:
    import torch

    from game.app.engine import run_job
    from game.core.texconv import texture_to_numpy

    pipeline, params, out = app.pipeline, app.params, {}
    i = iter(range(10**9))
    out[RENDER] = stats(timed(
        lambda: (_wiggle(params, next(i)), pipeline.render_now(only_offscreen=True)), n))
    out["render after a background change"] = stats(timed(
        lambda: (params.set("background_blur", next(i) % 10 / 40),
                 pipeline.render_now(only_offscreen=True)), n))
    params.set("background_blur", 0.0)
    frame = pipeline.render_now(only_offscreen=True)
    out["readback"] = stats(timed(lambda: texture_to_numpy(pipeline.output), n))
    out["preprocess"] = stats(timed(lambda: torch.from_numpy(frame.as_float()).unsqueeze(0), n))
    job = app.engine._job(frame)
    out.update(forward_timings(job.models, job.layers, frame, n))
    result = run_job(job, app.engine.groups)
    out["window, nothing changed (main-thread CPU)"] = stats(timed(app.step, n, time.thread_time))
    out["window redrawn (GUI + scene view)"] = stats(timed(lambda: _redrawn(app), n))
    out.update(camera_window_timings(app, n))
    if getattr(app, "activation_view", None) is not None:
        out["activation drawing"] = stats(timed(lambda: app.activation_view.update(result), n))
    if getattr(app, "prediction_view", None) is not None:
        out["prediction drawing"] = stats(timed(lambda: app.prediction_view.update(result), n))
    return out


def camera_window_timings(app, n: int) -> dict:
    """The window in frames where the camera moved, with the parts of the GUI nobody
    touched from the GUI cache's picture, and with every widget drawn. Each time: the
    window drawn, then the render that waits for the rasteriser to finish it."""
    cache = getattr(app, "gui_cache", None)
    if cache is None or app.redraw.cache is not cache:  # none here, or it failed
        return {}
    win, engine, pipeline, params = app.base.win, app.base.graphicsEngine, app.pipeline, app.params
    i = iter(range(10**9))

    def frame() -> None:
        _wiggle(params, next(i))
        app.redraw.request(units=False)
        app.step()  # the camera slider's group goes live; a picture if one is due
        pipeline.render_now(only_offscreen=True)

    def window_only() -> float:
        frame()
        t0 = time.perf_counter()
        win.setActive(True)
        engine.renderFrame()
        pipeline.render_now(only_offscreen=True)  # waits for the window's pixels
        t1 = time.perf_counter()
        pipeline.render_now(only_offscreen=True)  # a render alone
        t2 = time.perf_counter()
        return ((t1 - t0) - (t2 - t1)) * 1e3

    out = {}
    for name, enabled in (("window after a camera change, GUI cache on", True),
                          ("window after a camera change, GUI cache off", False)):
        cache.set_enabled(enabled)
        frame()
        out[name] = stats([window_only() for _ in range(n)])
    cache.set_enabled(True)
    return out


def forward_timings(models, layers, frame, n: int) -> dict:
    """Each model's backend: the full pass (logits + the shown layer), then to the layer."""
    import torch

    x = torch.from_numpy(frame.as_float()).unsqueeze(0)
    out = {}
    for loaded, layer in zip(models, layers):
        run = loaded.backend.forward
        out[f"forward {loaded.name}"] = stats(timed(lambda: run(x, layer), n))
        out[f"forward {loaded.name} to {layer}"] = stats(
            timed(lambda: run(x, layer, logits=False), n))
    return out


def end_to_end(app, n: int, predictions: bool, two: bool, mode: str = "sync") -> dict:
    """Frame times with one parameter change per frame, and the inference step's time."""
    app.params.update({"show_predictions": int(predictions), "model2_enabled": int(two),
                       "show_activations": 1, "inference_mode": mode})
    app.step(3)
    frames, infer = [], []
    results_before = app.engine.runs
    for k in range(n):
        _wiggle(app.params, k + 1)
        t0 = time.perf_counter()
        app.step()
        frames.append((time.perf_counter() - t0) * 1e3)
        if mode == "sync" and app.engine.result is not None:
            infer.append(app.engine.result.ms)
    if mode == "worker":
        app.engine.wait_idle()
        app.step()
    row = {"frame": stats(frames), "fps": round(1e3 / statistics.median(frames), 1),
           "inferences": app.engine.runs - results_before}
    if infer:
        row["inference"] = stats(infer)
    return row


def configurations(app, n: int, stages: dict, configs) -> dict:
    """{name: end_to_end row with its bare forwards and "frame / (render + bare)"}."""
    render, out = stages[RENDER]["median_ms"], {}
    for name, predictions, two in configs:
        row = end_to_end(app, n, predictions, two)
        bare = sum(stages[f"forward {m.name}"]["median_ms"] for m in app.slots.enabled())
        row["bare_forward_ms"] = round(bare, 2)
        row["frame_over_render_and_bare"] = round(row["frame"]["median_ms"] / (render + bare), 2)
        out[name] = row
    return out


def live_backend(app) -> str:
    return "+".join(sorted({m.backend.name for m in app.slots.enabled()}))


def other_backend(app, n: int) -> dict:
    """The forward passes and the headline configuration on torch, or on onnx when the
    app is on torch."""
    name = "onnx" if live_backend(app) == "torch" else "torch"
    return on_backend(app, name, lambda job: {
        "stages": forward_timings(job.models, job.layers, job.frame, n),
        HEADLINE: end_to_end(app, n, True, True)})


def further_backends(app, n: int, skip: tuple[str, ...]) -> dict:
    """{backend: its forward passes, or the reason it is not here} for every backend
    that is not in ``skip``."""
    from nets.backends import BACKENDS

    return {name: on_backend(app, name, lambda job: {
        "stages": forward_timings(job.models, job.layers, job.frame, n)})
        for name in BACKENDS if name not in (*skip, "auto")}


def on_backend(app, name: str, measure_on: Callable) -> dict:
    """``measure_on(job)`` with the app's models on backend ``name`` (two models,
    predictions on), then the app back on its own; ``error`` when ``name`` cannot be had
    (its runtime is not installed, the export failed)."""
    live = live_backend(app)
    try:
        app.slots.set_backend(name)
    except Exception as exc:
        app.slots.set_backend(live)
        return {"backend": name, "error": f"{type(exc).__name__}: {exc}"}
    try:
        app.params.update({"show_predictions": 1, "model2_enabled": 1, "show_activations": 1})
        job = app.engine._job(app.pipeline.render_now(only_offscreen=True))
        return {"backend": name, **measure_on(job)}
    finally:
        app.slots.set_backend(live)


def sweep_rate(n: int, inference: str) -> dict:
    """A yaw sweep of Model 1's default in this process: points per second once started."""
    from game.batch.sweep import worker
    from game.batch.sweep.executor import Pool
    from game.batch.sweep.grid import grid_points, parse_axis
    from game.batch.sweep.job import ProbeJob
    from game.core.params import DISCRETE

    job = ProbeJob(models=(DISCRETE["model1"],))
    points = grid_points([parse_axis(f"yaw=-180:180:{max(16, 2 * n)}")])
    try:
        with Pool("inprocess", inference=inference) as pool:
            pool.map(job, points[:job.batch])  # the renderer and the model start here
            t0 = time.perf_counter()
            pool.map(job, points)
            seconds = time.perf_counter() - t0
    finally:
        worker.shutdown()
    return {"model": job.models[0], "points": len(points), "seconds": round(seconds, 2),
            "points_per_second": round(len(points) / seconds, 1)}


def estimate_s(app, n: int) -> float:
    """Seconds the measurements will take: from a few frames and forward passes now."""
    from dataclasses import replace

    from game.app.engine import run_job
    from nets.backends import TorchBackend

    frame = min(timed(lambda: (_wiggle(app.params, 0), app.step(),
                               _wiggle(app.params, 1), app.step()), 3)) / 2e3
    job = app.engine._job(app.pipeline.render_now(only_offscreen=True))
    on_torch = replace(job, models=tuple(replace(m, backend=TorchBackend(m.model))
                                         for m in job.models))
    # The shortest of a few: on busy cores single torch passes stall now and then (its
    # threads wait for each other), which the medians of the measurements ride out.
    torch_s = min(timed(lambda: run_job(on_torch), 3)) / 1e3
    # ~11n app frames, ~3n torch jobs (its forwards and its frames), the sweep's points.
    return n * (11 * frame + 3 * torch_s) + 2 * n / 25 + 6


def measure(n: int, backend: str = "auto", say=lambda text: None) -> dict:
    from game.app.root import PerturberApp

    import torch

    start = time.perf_counter()
    app = PerturberApp(offscreen=True, size=(1280, 800), backend=backend)
    try:
        app.featvis.paused = True  # no class visualisations made in the background
        app.controller.use_preferred_camera()
        app.step(5)
        app.groups.wait()  # neuron groups (first run: seconds of background work)
        total = time.perf_counter() - start + estimate_s(app, n)
        if total > BUDGET_S:
            say(f"bench: this will take about {total:.0f} s on this machine now (more than a "
                f"minute); --frames {max(5, int(n * BUDGET_S / total))} would take about one")
        stages = stage_timings(app, n)
        report = {"machine": {"torch_threads": torch.get_num_threads(),
                              "backend": live_backend(app),
                              "models": [m.title for m in app.slots.enabled()]},
                  "stages": stages, "configs": configurations(app, n, stages, CONFIGS)}
        app.redraw.suspend(True)
        try:
            report["without the window"] = configurations(app, n, stages, WITHOUT_WINDOW)
        finally:
            app.redraw.suspend(False)
        report["other backend"] = other_backend(app, n)
        report["further backends"] = further_backends(
            app, n, (live_backend(app), report["other backend"]["backend"]))
        report["worker, activations + predictions, 2 models"] = end_to_end(
            app, n, True, True, mode="worker")
        app.params.set("inference_mode", "sync")
    finally:
        app.destroy()
    report["sweep, 1 model"] = sweep_rate(n, backend)
    report["seconds"] = round(time.perf_counter() - start, 1)
    return report


def print_report(report: dict) -> None:
    m = report["machine"]
    print(f"backend: {m['backend']}; torch threads: {m['torch_threads']}; "
          f"models: {', '.join(m['models'])}")
    print(f"{'stage':<48}{'median ms':>10}{'p90 ms':>10}")
    for name, s in report["stages"].items():
        print(f"{name:<48}{s['median_ms']:>10.2f}{s['p90_ms']:>10.2f}")
    for title, rows in (("configuration (sync)", report["configs"]),
                        ("window not drawn", report["without the window"])):
        print(f"\n{title:<40}{'frame ms':>9}{'p90':>8}{'fps':>7}{'bare ms':>9}"
              f"{'frame/(render+bare)':>21}")
        for name, r in rows.items():
            print(f"{name:<40}{r['frame']['median_ms']:>9.1f}{r['frame']['p90_ms']:>8.1f}"
                  f"{r['fps']:>7.1f}{r['bare_forward_ms']:>9.1f}"
                  f"{r['frame_over_render_and_bare']:>21.2f}")
    other = report["other backend"]
    if "error" in other:
        print(f"\non {other['backend']}: not available ({other['error']})")
    else:
        forwards = ", ".join(f"{k} {v['median_ms']:.1f}" for k, v in other["stages"].items())
        h = other[HEADLINE]
        print(f"\non {other['backend']}: {forwards} ms; {HEADLINE}: frame "
              f"{h['frame']['median_ms']:.1f} ms ({h['fps']} fps)")
    for name, row in report["further backends"].items():
        if "error" in row:
            print(f"on {name}: not available ({row['error']})")
        else:
            forwards = ", ".join(f"{k} {v['median_ms']:.1f}" for k, v in row["stages"].items())
            print(f"on {name}: {forwards} ms")
    w = report["worker, activations + predictions, 2 models"]
    print(f"worker mode, 2 models + predictions: UI {w['fps']} fps "
          f"(frame median {w['frame']['median_ms']} ms, p90 {w['frame']['p90_ms']} ms), "
          f"{w['inferences']} inferences for {w['frame']['n']} frames")
    s = report["sweep, 1 model"]
    print(f"sweep of {s['model']}, in this process: {s['points_per_second']} points/s "
          f"({s['points']} points in {s['seconds']} s)")
    print(f"bench took {report['seconds']} s")


def cmd_bench(args) -> int:
    from game.cli.args import check_backend
    from game.core.params import ParamError

    if not 5 <= args.frames <= 10_000:
        raise ParamError(f"--frames {args.frames}: choose 5..10000")
    check_backend(args)
    report = measure(args.frames, args.inference,
                     say=lambda text: print(text, file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0
