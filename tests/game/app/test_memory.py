"""Freed torch memory goes back to the system (glibc), measured on this process."""
import sys
import threading

import pytest
import torch
from direct.task.Task import TaskManager

from game.app import memory
from game.app.soak import rss_mb

glibc = pytest.mark.skipif(memory._libc() is None, reason="not a glibc system: nothing to trim")


@glibc
def test_trim_returns_what_background_threads_freed():
    """The app's pattern: a network's forward + backward on a short-lived thread."""
    import torchvision

    net = torchvision.models.mobilenet_v2()

    def work():
        x = torch.rand(16, 3, 224, 224, requires_grad=True)
        net(x).logsumexp(1).sum().backward()

    memory.trim()
    before = rss_mb()
    for _ in range(2):
        t = threading.Thread(target=work)
        t.start()
        t.join()
    kept = rss_mb() - before
    assert kept > 150  # the arenas hold on to the freed activations ...
    assert memory.trim() is not None
    assert rss_mb() - before < kept / 3  # ... until trimmed


@glibc
def test_trimmer_is_a_task_that_trims_and_goes_away():
    mgr = TaskManager()
    trimmer = memory.Trimmer(mgr, period=0.0)
    for _ in range(3):
        mgr.step()
    assert trimmer.trims >= 1
    trimmer.destroy()
    assert not mgr.getTasksNamed(memory.Trimmer.TASK)


def test_without_glibc_it_does_nothing(monkeypatch):
    monkeypatch.setattr(memory, "_LIBC", False)
    assert memory.trim() is None and memory.limit_arenas() is False
    mgr = TaskManager()
    memory.Trimmer(mgr).destroy()
    assert sys.modules["game.app.memory"] is memory
