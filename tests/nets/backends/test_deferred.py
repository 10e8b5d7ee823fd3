"""start_backend: torch at once, onnx once a child process has exported the graph."""
import time

import pytest
import torch

from nets.backends import OnnxBackend, TorchBackend, start_backend
from nets.backends import deferred, export
from tests.nets.backends.test_export_cache import tiny

TIMEOUT_S = 180  # a child imports torch first; a loaded 2-core machine is slow at it


def settle(*lives):
    """Polls until no live backend waits any more; what each poll gave, in order."""
    got = [None] * len(lives)
    deadline = time.monotonic() + TIMEOUT_S
    while any(live.pending for live in lives):
        assert time.monotonic() < deadline, "the export did not end"
        for i, live in enumerate(lives):
            got[i] = live.poll() or got[i]
        time.sleep(0.05)
    return got


def test_auto_runs_on_torch_until_the_graph_is_exported_then_on_onnx(tmp_path):
    model, x = tiny(), torch.rand(2, 3, 224, 224)
    live = start_backend("auto", model, tmp_path)
    assert isinstance(live.backend, TorchBackend) and live.pending
    torch_logits = live.backend.forward(x).logits  # usable at once
    onnx, = settle(live)
    assert isinstance(onnx, OnnxBackend) and live.backend is onnx and not live.failure
    assert live.poll() is None  # given once
    diff = (onnx.forward(x).logits - torch_logits).abs().max().item()
    assert diff < 1e-4, diff
    assert [p.name for p in tmp_path.iterdir()] == [export.cache_path(model, tmp_path).name]
    again = start_backend("auto", model, tmp_path)  # the graph is cached now
    assert isinstance(again.backend, OnnxBackend) and not again.pending


def test_live_backends_waiting_for_one_graph_share_one_export(tmp_path):
    model = tiny(1)
    first, second = start_backend("auto", model, tmp_path), start_backend("auto", model, tmp_path)
    assert first._job is second._job and first._job.users == 2
    a, b = settle(first, second)
    assert isinstance(a, OnnxBackend) and isinstance(b, OnnxBackend)
    assert export.cache_path(model, tmp_path) not in deferred._EXPORTS


def test_releasing_the_last_waiting_backend_stops_its_export(tmp_path):
    model = tiny(2)
    first, second = start_backend("auto", model, tmp_path), start_backend("auto", model, tmp_path)
    job = first._job
    first.release()
    assert job.running() and second.pending  # still wanted by the second
    second.release()
    assert not job.running() and not second.pending
    assert list(tmp_path.iterdir()) == []  # no graph, no half-written file
    assert isinstance(second.backend, TorchBackend)


def test_a_release_without_stop_lets_the_export_finish_into_the_cache(tmp_path):
    model = tiny(3)
    live = start_backend("auto", model, tmp_path)
    job = live._job
    live.release(stop=False)
    job.process.join(TIMEOUT_S)
    assert job.process.exitcode == 0 and export.cache_path(model, tmp_path).is_file()


def test_a_failed_export_leaves_torch_and_says_why(tmp_path):
    root = tmp_path / "not-a-folder"
    root.write_text("the cache folder cannot be made here")
    live = start_backend("auto", tiny(4), root)
    assert settle(live) == [None]
    assert isinstance(live.backend, TorchBackend)
    assert "exited with code" in live.failure


@pytest.mark.parametrize("name", ["torch", "onnx"])
def test_a_named_backend_is_made_at_once(tmp_path, name):
    live = start_backend(name, tiny(5), tmp_path)
    assert live.backend.name == name and not live.pending and live.poll() is None
