"""Where the app's feature visualisations are computed: a process of their own, or a thread.

The service's background thread hands each job to a runner and relays its reports:

- :class:`ProcessRunner` (the app's default) runs ``python -m game.tools.featvis.worker``. A
  thread of the app would share the interpreter lock with the render loop: on the
  2-core CI machine a visualisation advanced ~6x slower in a thread of the running app
  than in a process of its own, with no faster window. The process is started at the
  first job, gets each model once (the module itself, hooks stripped), computes at
  a lower priority than the window (after its imports) and is killed with the service.
- :class:`ThreadRunner` runs the job in the calling thread (tests with tiny models, and
  where a process cannot be started).

Both have ``run(model_id, model, key, on_progress) -> (image, settings)``;
``on_progress(fraction, preview)`` comes every ``CHUNK`` steps and may return True to
stop (then ``run`` returns None). A failed job raises :class:`JobFailed`.

Protocol (pickles over the pipes between the app and the child it started, never a
file; the child's prints go to stderr):
  parent -> child: ("model", model_id, module)  keep this model (one at a time)
                   ("job", model_id, objective, size, steps, naive, seed)
  child -> parent: ("progress", fraction, preview uint8 (H, W, 3))
                   ("done", image float32 (H, W, 3), settings) | ("error", message)
"""
from __future__ import annotations

import copy
import os
import pickle
import subprocess
import sys
import threading
from typing import Callable

import numpy as np
from game.core import paths

CHUNK = 8    # steps between two progress reports
NICE = 5     # the worker process yields to the window when the cores are busy

Progress = Callable[[float, np.ndarray], "bool | None"]


class JobFailed(RuntimeError):
    """A visualisation could not be made; the message is meant for the user."""


def stripped_copy(model):
    """A copy of ``model`` without hooks: hooks are per module, not per thread, and the
    inference engine may have its taps on the model while it is copied."""
    twin = copy.deepcopy(model)
    for module in twin.modules():
        module._forward_hooks.clear()
        module._forward_pre_hooks.clear()
        module._backward_hooks.clear()
    return twin


def make(model, objective: str, size: int, steps: int, naive: bool, seed: int,
         on_progress: Progress):
    """Run one job through ``model``; (image, settings), or None when told to stop."""
    from nets.featvis import FeatureVisJob

    job = FeatureVisJob(model, objective, size=size, steps=steps, naive=naive, seed=seed)
    while not job.finished:
        fraction = job.step(CHUNK)
        preview = np.round(job.image() * 255).astype(np.uint8)
        if on_progress(fraction, preview):
            return None
    return job.image(), job.settings()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().strip("'\"")
    return text.splitlines()[0] if text else type(exc).__name__


class ThreadRunner:
    def __init__(self, threads: int = 1):
        self.threads = threads
        self._model_id, self._model = None, None

    def run(self, model_id: str, model, key, on_progress: Progress):
        import torch

        torch.set_num_threads(self.threads)  # per thread: the render and inference keep theirs
        if model_id != self._model_id:
            self._model_id, self._model = model_id, stripped_copy(model)
        try:
            return make(self._model, key.objective, key.size, key.steps, key.naive, key.seed,
                        on_progress)
        except Exception as exc:
            raise JobFailed(_short(exc)) from exc

    def close(self) -> None:
        self._model = None


class ProcessRunner:
    def __init__(self, threads: int = 1):
        self.threads = threads
        self.proc: subprocess.Popen | None = None
        self._model_id = None
        self._lock = threading.Lock()

    def _start(self) -> None:
        env = dict(os.environ, PERTURBER_FEATVIS_THREADS=str(self.threads))
        root = str(paths.REPO_ROOT)
        self.proc = subprocess.Popen([sys.executable, "-m", "game.tools.featvis.worker"], cwd=root,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self._model_id = None

    def run(self, model_id: str, model, key, on_progress: Progress):
        with self._lock:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            proc = self.proc
        try:
            if model_id != self._model_id:
                _send(proc, ("model", model_id, stripped_copy(model)))
                self._model_id = model_id
            _send(proc, ("job", model_id, key.objective, key.size, key.steps, key.naive, key.seed))
            while True:
                message = pickle.load(proc.stdout)
                if message[0] == "progress":
                    if on_progress(message[1], message[2]):
                        self.close()  # the job cannot be interrupted otherwise
                        return None
                elif message[0] == "done":
                    return message[1], message[2]
                else:
                    raise JobFailed(message[1])
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            code = proc.poll()
            self.close()
            raise JobFailed(f"the feature-vis process stopped (exit code {code})") from exc

    def close(self) -> None:
        with self._lock:
            proc, self.proc = self.proc, None
        if proc is None:
            return
        proc.kill()
        proc.wait(5)
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _send(proc: subprocess.Popen, message) -> None:
    pickle.dump(message, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    proc.stdin.flush()


def main() -> None:
    """The child: read jobs from stdin, write reports to stdout (prints go to stderr)."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import torch

    from nets.featvis import lucent_compat

    lucent_compat.available()  # imported at full priority: the first picture starts sooner
    try:
        os.nice(NICE)
    except OSError:
        pass
    torch.set_num_threads(int(os.environ.get("PERTURBER_FEATVIS_THREADS", "1")))
    models: dict[str, object] = {}

    def report(message) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    stdin = sys.stdin.buffer
    while True:
        try:
            message = pickle.load(stdin)
        except EOFError:
            return
        if message[0] == "model":
            models.clear()  # one at a time
            models[message[1]] = message[2]
            continue
        _, model_id, objective, size, steps, naive, seed = message
        try:
            try:
                result = make(models[model_id], objective, size, steps, naive, seed,
                              lambda f, preview: report(("progress", f, preview)))
                report(("done", *result))
            except BrokenPipeError:
                raise
            except Exception as exc:  # one bad job must not end the worker
                report(("error", _short(exc)))
        except BrokenPipeError:  # the app has gone: nobody to report to, nothing to print
            os._exit(0)


if __name__ == "__main__":
    main()
