"""The Ray backend: each chunk is a Ray task that renders and classifies in its worker.

Ray is an optional extra (``pip install perturber[ray]``). ``address`` is a cluster
address ("ray://host:10001", "host:6379", "auto") or "local" for a Ray instance
started here.
"""
from __future__ import annotations

from game.params import ParamError


def _import_ray():
    try:
        import ray
    except ImportError:
        raise ParamError("--ray needs Ray: pip install 'perturber[ray]'") from None
    return ray


class RayRunner:
    def __init__(self, address: str | None, threads: int):
        ray = self.ray = _import_ray()
        self.started_here = False
        if not ray.is_initialized():
            if address in (None, "", "local"):
                ray.init(num_cpus=None, include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=address, log_to_driver=False)
            self.started_here = True
        threads = max(1, threads)

        def run_chunk(job, chunk):
            import torch

            torch.set_num_threads(threads)
            from game.sweep.worker import run_points

            return run_points(job, chunk)

        self.task = ray.remote(num_cpus=1)(run_chunk)

    def map(self, job, chunks, finished, cancelled) -> None:
        ray = self.ray
        job_ref = ray.put(job)
        pending = [self.task.remote(job_ref, c) for c in chunks]
        while pending:
            done, pending = ray.wait(pending, num_returns=1, timeout=0.5)
            for ref in done:
                finished(ray.get(ref))
            if cancelled():
                for ref in pending:
                    ray.cancel(ref)
                return

    def close(self) -> None:
        if self.started_here and self.ray.is_initialized():
            self.ray.shutdown()
