"""Pools: a 3 x 3 sweep in this process and on local processes, identical CSVs,
cancelling, and jobs refused before anything runs."""
import time

import pytest

from game.core.params import ParamError
from game.batch.sweep.executor import Pool
from game.batch.sweep.job import ProbeJob, SceneSpec
from game.batch.sweep.table import csv_text
from tests.game.batch.sweep.conftest import TINY


@pytest.fixture(scope="module")
def inprocess_csv(sweep_worker, tiny_sweep):
    axes, points, job = tiny_sweep
    seen = []
    with Pool("inprocess") as pool:
        results = pool.map(job, points, chunk=2, progress=lambda d, t: seen.append((d, t)))
    return results, csv_text(results, axes, job), seen


def test_a_3x3_sweep_gives_9_rows_with_the_grid_values(inprocess_csv, tiny_sweep):
    axes, points, _ = tiny_sweep
    results, text, seen = inprocess_csv
    assert [r.index for r in results] == list(range(9))
    assert [r.values for r in results] == points
    lines = text.splitlines()
    assert len(lines) == 10
    assert [tuple(l.split(",")[1:3]) for l in lines[1:]] == [
        (y, h) for y in ("-60", "0", "60") for h in ("-0.25", "0", "0.25")]
    assert seen[0] == (0, 9) and seen[-1] == (9, 9) and len(seen) == 6  # 5 chunks of <= 2


def test_local_processes_give_the_same_csv(inprocess_csv, tiny_sweep):
    axes, points, job = tiny_sweep
    with Pool("local", workers=2) as pool:
        results = pool.map(job, points, chunk=2)
        assert csv_text(results, axes, job) == inprocess_csv[1]
        again = pool.map(job, points[:3], chunk=2)          # the processes are kept
    assert [r.index for r in again] == [0, 1, 2]


def test_chunks_that_are_multiples_of_the_batch_give_the_same_bits(sweep_worker, tiny_sweep):
    axes, points, job = tiny_sweep                  # batch 4
    with Pool("inprocess") as pool:
        texts = {csv_text(pool.map(job, points, chunk=c), axes, job) for c in (4, 8, None)}
    assert len(texts) == 1


def test_a_cancelled_run_stops(sweep_worker, tiny_sweep):
    _, _, job = tiny_sweep
    points = [{"yaw": float(y)} for y in range(-100, 100, 5)]       # 40 points
    pool = Pool("inprocess")
    run = pool.start(job, points, chunk=1)
    deadline = time.monotonic() + 60
    while run.finished < 2 and not run.done and time.monotonic() < deadline:
        time.sleep(0.01)
    run.cancel()
    run.join(timeout=60)
    assert run.done and run.error is None
    assert 2 <= run.finished < len(points)
    assert [r.index for r in run.partial()] == list(range(run.finished))
    pool.close()


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(layer="c9", channels=(1,)), "no layer 'c9'"),
    (dict(layer="c0", channels=(6,)), "channels 0..5; no channel 6"),
    (dict(models=("no_such_model",)), "unknown model"),
    (dict(models=("mobilenet_v2@123",)), "no checkpoint 123"),
    (dict(models=("py:tests.game.batch.sweep.tiny_models:nothing",)), "nothing"),
    (dict(models=("py:no_such_module:f",)), "No module named 'no_such_module'"),
    (dict(models=("py:os",)), "expected py:module:callable"),
    (dict(models=("py:os:sep",)), "os.sep is not callable"),
    (dict(models=("py:os:system",)), r"os.system\(\) failed \(TypeError"),
    (dict(models=("py:os:getcwd",)), "gave a str, not a nets.classifier.Classifier"),
])
def test_bad_jobs_are_refused_before_anything_runs(kwargs, fragment):
    job = ProbeJob(**{"models": (TINY,), **kwargs})
    with pytest.raises(ParamError, match=fragment):
        Pool("inprocess").map(job, [{"yaw": 0.0}])


def test_bad_scene_and_chunk_are_refused():
    with pytest.raises(ParamError, match="out of range"):
        Pool("inprocess").map(ProbeJob(scene=SceneSpec(values=(("hue", 3.0),)), models=(TINY,)),
                              [{"yaw": 0.0}])
    with pytest.raises(ParamError, match="chunk"):
        Pool("inprocess").map(ProbeJob(models=(TINY,)), [{"yaw": 0.0}], chunk=0)
    with pytest.raises(ParamError, match="channels need a layer"):
        ProbeJob(models=(TINY,), channels=(1,))
