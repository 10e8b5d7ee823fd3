"""`perturber bench`: where the time goes, measured on this machine.

Per stage (median and p90 in ms): render (scene + post chain + copy to RAM), readback
(RAM image -> numpy), preprocess (numpy -> tensor), forward per model (full and
truncated at the shown layer), activation drawing, prediction drawing, and a window
frame in which nothing changed (the GUI's own cost on this rasteriser). Then the
whole app, offscreen, one parameter change per frame, in the thesis' four
configurations (activations only / activations + predictions, one or two models):
input -> shown activations (+ top-5) per frame and frames per second; the worker
mode's UI frame rate while it infers; and the ratio of the app's inference step to
a bare torch forward of the same models.
"""
from __future__ import annotations

import json
import statistics
import time
from typing import Callable

CONFIGS = (
    ("activations, 1 model", False, False),
    ("activations + predictions, 1 model", True, False),
    ("activations, 2 models", False, True),
    ("activations + predictions, 2 models", True, True),
)


def run(args) -> int | None:
    return cmd_bench(args) if args.command == "bench" else None


def add_commands(sub) -> None:
    p = sub.add_parser("bench", help="per-stage timings and frames per second on this machine")
    p.add_argument("--frames", type=int, default=40, help="frames per measurement (default 40)")
    p.add_argument("--json", action="store_true", help="print JSON")


def stats(ms: list[float]) -> dict:
    ordered = sorted(ms)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return {"median_ms": round(statistics.median(ordered), 2), "p90_ms": round(p90, 2),
            "n": len(ordered)}


def timed(fn: Callable, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def _wiggle(params, i: int) -> None:
    """A different frame every time: the camera yaw moves back and forth."""
    params.set("yaw", -45.0 + (i % 20) - 10.0)


def stage_timings(app, n: int) -> dict:
    import torch

    from game.app.engine import run_job
    from game.core.texconv import texture_to_numpy
    from nets.forward import forward

    pipeline, out = app.pipeline, {}
    i = iter(range(10**9))
    out["render (scene + post chain + copy to RAM)"] = stats(timed(
        lambda: (_wiggle(app.params, next(i)), pipeline.render_now(only_offscreen=True)), n))
    frame = pipeline.frame
    out["readback"] = stats(timed(lambda: texture_to_numpy(pipeline.output), n))
    out["preprocess"] = stats(timed(lambda: torch.from_numpy(frame.as_float()).unsqueeze(0), n))
    x = torch.from_numpy(frame.as_float()).unsqueeze(0)
    job = app.engine._job(frame)
    for loaded, layer in zip(job.models, job.layers):
        out[f"forward {loaded.name}"] = stats(timed(lambda: forward(loaded.model, x, layer), n))
        out[f"forward {loaded.name} to {layer}"] = stats(
            timed(lambda: forward(loaded.model, x, layer, logits=False), n))
    result = run_job(job, app.engine.groups)
    out["window (GUI + scene view, nothing changed)"] = stats(timed(app.step, n))
    if getattr(app, "activation_view", None) is not None:
        out["activation drawing"] = stats(timed(lambda: app.activation_view.update(result), n))
    if getattr(app, "prediction_view", None) is not None:
        out["prediction drawing"] = stats(timed(lambda: app.prediction_view.update(result), n))
    return out


def bare_forward_ms(app, n: int) -> float:
    """Median of plain ``model(x)`` calls of the enabled models, summed."""
    import torch

    x = torch.rand(1, 3, 224, 224)
    total = 0.0
    for loaded in app.slots.enabled():
        with torch.inference_mode():
            total += statistics.median(timed(lambda: loaded.model(x), n))
    return total


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


def measure(n: int) -> dict:
    from game.app.root import PerturberApp

    import torch

    app = PerturberApp(offscreen=True, size=(1280, 800))
    try:
        app.featvis.paused = True  # no class visualisations made in the background
        app.controller.use_preferred_camera()
        app.step(5)
        app.groups.wait()  # neuron groups (first run: seconds of background work)
        report = {"machine": {"torch_threads": torch.get_num_threads(),
                              "models": [m.title for m in app.slots.enabled()]},
                  "stages": stage_timings(app, n), "configs": {}}
        for name, predictions, two in CONFIGS:
            row = end_to_end(app, n, predictions, two)
            app.params.update({"show_predictions": int(predictions), "model2_enabled": int(two)})
            bare = bare_forward_ms(app, n)
            row["bare_forward_ms"] = round(bare, 2)
            if "inference" in row:
                row["inference_over_bare"] = round(row["inference"]["median_ms"] / bare, 2)
            row["frame_over_bare"] = round(row["frame"]["median_ms"] / bare, 2)
            report["configs"][name] = row
        report["worker, activations + predictions, 2 models"] = end_to_end(
            app, n, True, True, mode="worker")
        app.params.set("inference_mode", "sync")
        return report
    finally:
        app.destroy()


def print_report(report: dict) -> None:
    print(f"torch threads: {report['machine']['torch_threads']}; "
          f"models: {', '.join(report['machine']['models'])}")
    print(f"{'stage':<44}{'median ms':>10}{'p90 ms':>10}")
    for name, s in report["stages"].items():
        print(f"{name:<44}{s['median_ms']:>10.2f}{s['p90_ms']:>10.2f}")
    print(f"\n{'configuration (sync)':<40}{'frame ms':>9}{'p90':>8}{'fps':>7}{'bare ms':>9}"
          f"{'infer/bare':>11}")
    for name, r in report["configs"].items():
        print(f"{name:<40}{r['frame']['median_ms']:>9.1f}{r['frame']['p90_ms']:>8.1f}"
              f"{r['fps']:>7.1f}{r['bare_forward_ms']:>9.1f}{r.get('inference_over_bare', 0):>11.2f}")
    w = report["worker, activations + predictions, 2 models"]
    print(f"\nworker mode, 2 models + predictions: UI {w['fps']} fps "
          f"(frame median {w['frame']['median_ms']} ms, p90 {w['frame']['p90_ms']} ms), "
          f"{w['inferences']} inferences for {w['frame']['n']} frames")


def cmd_bench(args) -> int:
    from game.core.params import ParamError

    if not 5 <= args.frames <= 10_000:
        raise ParamError(f"--frames {args.frames}: choose 5..10000")
    report = measure(args.frames)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0
