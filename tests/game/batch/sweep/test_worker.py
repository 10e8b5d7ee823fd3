"""Rendering and classifying points in this process (real EGL renders, a tiny net)."""
import numpy as np

from game.batch.sweep.job import ProbeJob, SceneSpec
from tests.game.batch.sweep.conftest import TINY

CONSTANT = "py:tests.game.batch.sweep.tiny_models:constant"


def test_points_come_back_in_the_order_given_with_everything_asked(sweep_worker, tiny_sweep):
    _, points, job = tiny_sweep
    indexed = [(7, points[7]), (2, points[2]), (4, points[4])]
    results = sweep_worker.run_points(job, indexed)
    assert [r.index for r in results] == [7, 2, 4]
    assert [r.values for r in results] == [points[7], points[2], points[4]]
    for r in results:
        assert len(r.top[TINY]) == 5 and r.layers == {TINY: "c0"}
        assert len(r.channels[TINY]) == 2 and r.thumb.shape == (8, 8, 3)
        assert abs(sum(t["prob"] for t in r.top[TINY]) - 1) < 1  # probabilities
    assert results[0].channels != results[1].channels           # the frame changed


def test_a_result_does_not_depend_on_what_was_rendered_before(sweep_worker, tiny_sweep):
    _, points, job = tiny_sweep
    forward = sweep_worker.run_points(job, list(enumerate(points[:4])))
    backward = sweep_worker.run_points(job, list(reversed(list(enumerate(points[:4])))))
    by_index = {r.index: r for r in backward}
    for r in forward:
        other = by_index[r.index]
        assert np.array_equal(r.thumb, other.thumb)      # the same frame, bit for bit
        # the same numbers up to float rounding: a position in another batch may sum in
        # another order (the CSV is identical across backends for the same chunking)
        assert [t["index"] for t in r.top[TINY]] == [t["index"] for t in other.top[TINY]]
        assert np.allclose([t["prob"] for t in r.top[TINY]],
                           [t["prob"] for t in other.top[TINY]], rtol=1e-5, atol=0)
        assert np.allclose(r.channels[TINY], other.channels[TINY], rtol=1e-5, atol=1e-7)
    again = sweep_worker.run_points(job, list(enumerate(points[:4])))
    assert [(r.top, r.channels) for r in again] == [(r.top, r.channels) for r in forward]


def test_scene_values_and_per_point_objects(sweep_worker):
    job = ProbeJob(scene=SceneSpec(object="sphere_box", values=(("saturation", 0.0),)),
                   models=(CONSTANT,), top=3, keep_logits=True, thumb=16)
    grey, box = sweep_worker.run_points(job, [(0, {"yaw": 10.0}),
                                              (1, {"yaw": 10.0, "object": "dog_cat"})])
    g = grey.thumb.astype(int)
    assert np.abs(g[..., 0] - g[..., 1]).max() <= 2               # saturation 0 applied
    assert not np.array_equal(grey.thumb, box.thumb)              # another object
    assert [t["index"] for t in grey.top[CONSTANT]] == [0, 1, 2]  # ignores its input
    assert grey.logits[CONSTANT].shape == (12,) and grey.channels == {}


def test_rendering_while_classifying_gives_the_numbers_of_one_after_the_other(sweep_worker,
                                                                              tiny_sweep):
    _, points, job = tiny_sweep
    overlapped = sweep_worker.run_points(job, list(enumerate(points)), "torch")
    images = sweep_worker.render_points(job, points)
    serial = sweep_worker.classify(job, images, "torch")
    assert [(r.top, r.channels) for r in overlapped] == [(o["top"], o["channels"]) for o in serial]


def test_onnx_and_torch_agree(sweep_worker, tiny_sweep):
    _, points, job = tiny_sweep
    on_torch = sweep_worker.run_points(job, list(enumerate(points)), "torch")
    on_onnx = sweep_worker.run_points(job, list(enumerate(points)), "onnx")
    for a, b in zip(on_torch, on_onnx):
        assert np.array_equal(a.thumb, b.thumb)
        assert [t["index"] for t in a.top[TINY]] == [t["index"] for t in b.top[TINY]]
        assert np.allclose(a.channels[TINY], b.channels[TINY], rtol=1e-4, atol=1e-6)


def test_a_thread_after_another_renders_its_own_frames(sweep_worker):
    """The in-process sweep renders in a thread of its own, after other threads drew:
    its frames are its points', not the last frame another thread drew."""
    import threading

    from game.batch.sweep.worker import render_points

    job = ProbeJob(models=(TINY,))
    left = render_points(job, [{"yaw": -60.0}])[0]
    got = {}

    def other_thread():
        got["right"], got["left"] = (render_points(job, [{"yaw": y}])[0] for y in (60.0, -60.0))

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    right = render_points(job, [{"yaw": 60.0}])[0]
    assert (got["right"] != left).any()                 # not the main thread's last frame
    assert (got["right"] == right).all() and (got["left"] == left).all()
