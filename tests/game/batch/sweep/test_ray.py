"""The Ray backend on a local Ray instance started (and shut down) here: the same CSV
as in this process. Ray is the optional extra `perturber[ray]`; scripts/dev.sh installs
it for the tests, so this runs in CI."""
import pytest

ray = pytest.importorskip("ray", reason="Ray is the optional extra: pip install -e '.[ray]' "
                                        "(scripts/dev.sh installs it)")

from game.batch.sweep.executor import Pool  # noqa: E402
from game.core import crash_handlers  # noqa: E402
from game.batch.sweep.table import csv_text  # noqa: E402


def test_ray_gives_the_same_csv_as_this_process(sweep_worker, tiny_sweep):
    axes, points, job = tiny_sweep
    with Pool("inprocess") as pool:
        expected = csv_text(pool.map(job, points, chunk=3), axes, job)
    assert not ray.is_initialized()
    handlers = crash_handlers.current()
    seen = []
    with Pool("ray", workers=2, ray_address="local") as pool:
        results = pool.map(job, points, chunk=3, progress=lambda d, t: seen.append(d))
        assert ray.is_initialized()
        assert csv_text(results, axes, job) == expected
        assert [r.thumb.shape for r in results] == [(8, 8, 3)] * 9
    assert not ray.is_initialized()                 # the instance started here is gone
    assert crash_handlers.current() == handlers     # faulthandler's, not reset by Ray    assert seen[0] == 0 and seen[-1] == 9
