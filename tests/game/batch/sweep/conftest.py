"""Fixtures for probe tests: this process's kept headless renderer, closed after each
module (Panda3D allows one ShowBase per process; other modules make their own)."""
import pytest

from game.batch.sweep.grid import grid_points, parse_axis
from game.batch.sweep.job import ProbeJob, SceneSpec

TINY = "py:tests.game.batch.sweep.tiny_models:conv"


@pytest.fixture(scope="module")
def sweep_worker():
    from game.batch.sweep import worker

    yield worker
    worker.shutdown()


@pytest.fixture(scope="module")
def tiny_sweep():
    """(axes, points, job): 3 x 3 points of yaw x hue on the sphere/box pair, the tiny
    conv net with two channels of c0 and 8-pixel thumbnails."""
    axes = [parse_axis("yaw=-60:60:3"), parse_axis("hue=-0.25:0.25:3")]
    job = ProbeJob(scene=SceneSpec(object="sphere_box", background="lawn"), models=(TINY,),
                   layer="c0", channels=(0, 4), thumb=8, batch=4)
    return axes, grid_points(axes), job
