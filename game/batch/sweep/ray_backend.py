"""The Ray backend: each chunk is a Ray task that renders and classifies in its worker.

Ray is an optional extra (``pip install perturber[ray]``). ``address`` is a cluster
address ("ray://host:10001", "host:6379", "auto") or "local" (or None) for a small Ray
instance started here and shut down by ``close()``. Ray replaces the process's handlers
for fatal signals while it runs and resets them at shutdown: ``close()`` puts back the
ones that were there before (``faulthandler``'s), so a later native crash still says where.

Workers import the project from the same paths as this process (the repository root
and this process's ``sys.path`` go into the tasks' ``PYTHONPATH``), so ``py:`` model
specs from the repository (``tests.…``) resolve there too. On a cluster every node
needs the project installed at the same version (or the same paths mounted).
"""
from __future__ import annotations

import contextlib
import os
import sys

from game.core import crash_handlers, paths
from game.core.params import ParamError

LOCAL_OBJECT_STORE = 200 * 1024 * 1024  # bytes: results are small (top-k, means, thumbnails)


def _import_ray():
    try:
        import ray
    except ImportError:
        raise ParamError("--ray needs Ray: pip install 'perturber[ray]'") from None
    return ray


CONNECT_TIMEOUT_S = 5.0


def _runtime_env() -> dict:
    root = str(paths.REPO_ROOT)
    installed = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    here = [os.path.abspath(p or ".") for p in sys.path]
    search = [root] + [p for p in here if os.path.isdir(p) and not p.startswith(installed)]
    if os.environ.get("PYTHONPATH"):
        search.append(os.environ["PYTHONPATH"])
    env = {"PYTHONPATH": os.pathsep.join(dict.fromkeys(search))}
    for name in ("EGL_PLATFORM", "PERTURBER_WEIGHTS_DIR", "PERTURBER_CACHE", "TORCH_HOME"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return {"env_vars": env}


def _check_reachable(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """A ``host:port`` that accepts no connection is refused at once (Ray itself retries
    for minutes without a word)."""
    import socket

    if address == "auto" or address.startswith("ray://"):
        return
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ParamError(f"--ray {address!r}: expected local, auto or HOST:PORT")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s):
            pass
    except OSError as exc:
        raise ParamError(f"--ray {address}: no Ray cluster answers there "
                         f"({exc.strerror or exc}; waited {timeout_s:g} s)") from None


def _run_chunk(job, chunk, threads: int, inference: str):
    import torch

    torch.set_num_threads(threads)
    from game.batch.sweep.worker import run_points

    return run_points(job, chunk, inference)


class RayRunner:
    def __init__(self, address: str | None, threads: int, workers: int = 2,
                 inference: str = "auto"):
        ray = self.ray = _import_ray()
        self.inference = inference
        self.started_here = False
        self.threads = max(1, threads)
        self._handlers = contextlib.ExitStack()
        if not ray.is_initialized():
            with contextlib.ExitStack() as handlers:
                handlers.enter_context(crash_handlers.kept())
                if address in (None, "", "local"):
                    ray.init(num_cpus=workers, object_store_memory=LOCAL_OBJECT_STORE,
                             include_dashboard=False, log_to_driver=False,
                             configure_logging=False)
                else:
                    _check_reachable(address)
                    ray.init(address=address, log_to_driver=False, configure_logging=False)
                self._handlers = handlers.pop_all()  # restored by close(), after the shutdown
            self.started_here = True
        self.task = ray.remote(num_cpus=1, runtime_env=_runtime_env(),
                               max_retries=0)(_run_chunk)

    def map(self, job, chunks, finished, cancelled) -> None:
        ray = self.ray
        job_ref = ray.put(job)
        pending = [self.task.remote(job_ref, c, self.threads, self.inference) for c in chunks]
        try:
            while pending:
                done, pending = ray.wait(pending, num_returns=1, timeout=0.5)
                for ref in done:
                    finished(ray.get(ref))
                if cancelled():
                    break
        finally:
            for ref in pending:
                ray.cancel(ref)

    def close(self) -> None:
        with self._handlers:
            if self.started_here and self.ray.is_initialized():
                self.ray.shutdown()
