"""The feature-visualisation service: keys, de-duplication, order, progress, cache, failures."""
import threading
import time

import numpy as np
import pytest

from game.tools.featvis.service import FeatureVisService
from game.tools.featvis.worker import JobFailed, ProcessRunner, ThreadRunner
from nets.featvis import CacheKey, FeatureVisCache

from tests.game.featvis_fakes import colour_classifier, fake_slots

FAST = dict(size=16, steps=24, process=False)  # 3 progress reports of 8 steps, milliseconds


@pytest.fixture
def service(tmp_path):
    made = []
    svc = FeatureVisService(fake_slots(), FeatureVisCache(tmp_path / "featvis"),
                            on_error=made.append, **FAST)
    svc.errors_seen = made
    yield svc
    svc.destroy()


class GatedRunner(ThreadRunner):
    """A ThreadRunner that waits for ``gate`` before each job and records the order."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()
        self.started = threading.Event()
        self.order = []

    def run(self, model_id, model, key, on_progress):
        self.order.append(key.objective)
        self.started.set()
        assert self.gate.wait(20)
        return super().run(model_id, model, key, on_progress)


def key_of(service, channel, layer="block13"):
    return service._key("mobilenet_v2", 0, layer, channel)


def test_progress_goes_from_0_to_1_and_the_image_lands_in_the_cache(service):
    seen = []
    runner_run = service.runner.run

    def recording_run(model_id, model, key, on_progress):
        def report(fraction, preview):
            stop = on_progress(fraction, preview)
            status = service.status(key)
            seen.append((status.state, status.progress, status.preview.shape))
            return stop
        return runner_run(model_id, model, key, report)

    service.runner.run = recording_run
    assert service.channel_status("mobilenet_v2", 0, "block13", 0).state == "missing"
    service.request_channel("mobilenet_v2", 0, "block13", 0)
    assert service.wait(30)
    assert [p for _, p, _ in seen] == [8 / 24, 16 / 24, 1.0]
    assert all(state == "running" and shape == (16, 16, 3) for state, _, shape in seen)
    status = service.channel_status("mobilenet_v2", 0, "block13", 0)
    assert status.state == "done" and status.progress == 1.0
    assert status.image.shape == (16, 16, 3)
    key = key_of(service, 0)
    assert service.cache.get(key) is not None
    assert service.cache.info(key)["seconds"] >= 0 and len(service.timings) == 1
    assert service.ready() and not service.ready()  # once
    assert service.progress == {}


def test_requests_for_one_key_are_never_duplicated(service):
    service.runner = runner = GatedRunner()
    start = time.perf_counter()
    for _ in range(5):
        service.request_channel("mobilenet_v2", 0, "block13", 1)
    assert time.perf_counter() - start < 0.1  # the window never waits
    assert runner.started.wait(10)
    service.request_channel("mobilenet_v2", 0, "block13", 1)  # while it is being made
    runner.gate.set()
    assert service.wait(30)
    service.request_channel("mobilenet_v2", 0, "block13", 1)  # made: nothing to do
    assert service.wait(5)
    assert runner.order == ["block13:1"]


def test_newest_first_asking_again_moves_to_the_front_classes_wait(service):
    service.runner = runner = GatedRunner()
    service.request_channel("mobilenet_v2", 0, "block13", 0)
    assert runner.started.wait(10)  # block13:0 is being made; the rest waits
    for channel in (1, 2):
        service.request_channel("mobilenet_v2", 0, "block13", channel)
    service.request_class("mobilenet_v2", 0, 7)
    service.request_channel("mobilenet_v2", 0, "block13", 1)  # again: to the front
    assert service.channel_status("mobilenet_v2", 0, "block13", 2).state == "queued"
    runner.gate.set()
    assert service.wait(30)
    # channels (asked for by someone) before classes (the prediction view asks for each)
    assert runner.order == ["block13:0", "block13:1", "block13:2", "logit:7"]


def test_queues_keep_only_the_newest_requests(service, monkeypatch):
    """The prediction view asks for every top class it shows; on a long run the old
    requests (and the models they hold) must not pile up."""
    import game.tools.featvis.service as featvis_service

    monkeypatch.setattr(featvis_service, "QUEUED", 3)
    service.runner = runner = GatedRunner()
    service.request_channel("mobilenet_v2", 0, "block13", 0)
    assert runner.started.wait(10)   # block13:0 runs; the rest waits
    for index in range(8):
        service.request_class("mobilenet_v2", 0, index)
    assert [service.class_status("mobilenet_v2", 0, i).state for i in range(8)] == \
        ["missing"] * 5 + ["queued"] * 3
    assert len(service._pending) == 4 and len(service.progress) == 4
    service.request_class("mobilenet_v2", 0, 0)   # still on screen: asked again, queued again
    runner.gate.set()
    assert service.wait(30)
    assert runner.order == ["block13:0", "logit:0", "logit:7", "logit:6"]


def test_failures_remembered_are_bounded(service, monkeypatch):
    import game.tools.featvis.service as featvis_service

    monkeypatch.setattr(featvis_service, "ERRORS", 2)
    for i in range(4):
        service._fail(key_of(service, i), f"failure {i}")
    assert list(service.errors.values()) == ["failure 2", "failure 3"]


def test_naive_parameterisation_is_part_of_the_key(service):
    naive = {"on": False}
    service.naive = lambda: naive["on"]
    fft_key = key_of(service, 2)
    service.request_channel("mobilenet_v2", 0, "block13", 2)
    assert service.wait(30)
    assert service.channel("mobilenet_v2", 0, "block13", 2) is not None
    naive["on"] = True
    naive_key = key_of(service, 2)
    assert naive_key != fft_key and naive_key.naive and not fft_key.naive
    assert service.channel_status("mobilenet_v2", 0, "block13", 2).state == "missing"
    service.request_channel("mobilenet_v2", 0, "block13", 2)
    assert service.wait(30)
    assert "naive" in service.cache.path(naive_key).name
    assert "fft" in service.cache.path(fft_key).name
    assert not np.array_equal(service.cache.get(naive_key), service.cache.get(fft_key))


def test_a_second_service_finds_the_image_in_the_cache(service, tmp_path):
    service.request_channel("mobilenet_v2", 0, "block13", 0)
    assert service.wait(30)
    made = service.channel("mobilenet_v2", 0, "block13", 0)
    again = FeatureVisService(fake_slots(), FeatureVisCache(tmp_path / "featvis"), **FAST)
    try:
        assert again.channel_status("mobilenet_v2", 0, "block13", 0).state == "done"
        again.request_channel("mobilenet_v2", 0, "block13", 0)
        assert again._thread is None  # nothing to make
        assert np.abs(again.channel("mobilenet_v2", 0, "block13", 0) - made).max() <= 0.5 / 255 + 1e-6
    finally:
        again.destroy()


def test_other_weights_or_a_checkpoint_not_loaded_are_other_keys(service):
    assert key_of(service, 0).model == "mobilenet_v2@test0"
    assert service._key("efficientnet_lite0", 0, "block13", 0).model == "efficientnet_lite0@test0"
    assert service._key("mobilenet_v2", 300, "block13", 0) is None  # no such slot
    service.request_channel("mobilenet_v2", 300, "block13", 0)
    assert service._thread is None


class Exploding(ThreadRunner):
    def run(self, model_id, model, key, on_progress):
        raise JobFailed("out of patience")


def test_a_failure_is_reported_shown_and_retried_only_on_request(service):
    service.runner = Exploding()
    service.request_channel("mobilenet_v2", 0, "block13", 1)
    assert service.wait(10)
    status = service.channel_status("mobilenet_v2", 0, "block13", 1)
    assert status.state == "failed" and status.error == "out of patience"
    assert service.errors_seen and "out of patience" in service.errors_seen[-1]
    assert "block13:1" in service.errors_seen[-1]
    version = service.version
    service.request_channel("mobilenet_v2", 0, "block13", 1, retry=False)
    assert service.version == version  # not again by itself (the plane asks like this)
    with pytest.raises(RuntimeError, match="out of patience"):
        service.spec_image("block13:1")
    service.runner = ThreadRunner()
    service.request_channel("mobilenet_v2", 0, "block13", 1)  # the play button: again
    assert service.wait(30)
    assert service.channel_status("mobilenet_v2", 0, "block13", 1).state == "done"


def test_a_model_that_raises_fails_with_its_message(service):
    model = colour_classifier()

    def broken(_images):
        raise RuntimeError("the net is broken\nsecond line")

    model.net.forward = broken
    service.slots.set_edited(model, "broken")
    service.request_channel("edited", 0, "block13", 0)
    assert service.wait(10)
    status = service.channel_status("edited", 0, "block13", 0)
    assert status.state == "failed" and status.error == "the net is broken"


def test_the_edited_models_images_stay_in_memory(service):
    service.slots.set_edited(colour_classifier("edited"))
    service.request_channel("edited", 0, "block13", 0)
    assert service.wait(30)
    assert service.channel("edited", 0, "block13", 0) is not None
    assert not list(service.cache.root.glob("edited*"))  # never on disk
    service.slots.set_edited(colour_classifier("edited"))  # another edit: another key
    assert service.channel_status("edited", 0, "block13", 0).state == "missing"


def test_spec_keys_are_checked_against_model_1(service):
    assert service.spec_key("block13:2") == key_of(service, 2)
    assert service.spec_key(" logit:281 ") == key_of(service, 281, "logit")
    for spec, message in (("block13", "not <layer>:<channel>"), ("block13:x", "not <layer>"),
                          ("mixed4a:222", "unknown layer 'mixed4a'"),
                          ("block13:3", "3 channels (0..2); 3 is out of range"),
                          ("logit:1000", "classes 0..999")):
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            service.spec_key(spec)


def test_spec_image_asks_once_then_gives_the_image(service):
    assert service.spec_image("block13:0") is None
    assert service.channel_status("mobilenet_v2", 0, "block13", 0).busy
    assert service.wait(30)
    assert service.spec_image("block13:0").shape == (16, 16, 3)


def test_the_process_runner_makes_what_the_thread_runner_makes():
    """The app's worker process (its own interpreter: no lock shared with the window)."""
    model = colour_classifier()
    key = CacheKey("colour@x", "block13", 0, True, 16, 16)
    reports = []
    process = ProcessRunner(threads=1)
    try:
        image, settings = process.run("colour@x", model, key,
                                      lambda f, preview: reports.append((f, preview.shape)))
        assert reports == [(0.5, (16, 16, 3)), (1.0, (16, 16, 3))]
        assert settings["steps"] == 16 and settings["naive"] is True
        pid = process.proc.pid
        again, _ = process.run("colour@x", model, key, lambda f, p: None)  # model kept
        assert process.proc.pid == pid and np.array_equal(again, image)
        with pytest.raises(JobFailed, match="channels"):  # a bad job: a message, the worker lives
            process.run("colour@x", model, CacheKey("colour@x", "block13", 9, True, 16, 4),
                        lambda f, p: None)
        assert process.proc.poll() is None
    finally:
        process.close()
    assert process.proc is None
    thread_image, _ = ThreadRunner().run("colour@x", model, key, lambda f, p: None)
    assert np.allclose(image, thread_image, atol=1e-5)
    assert image[..., 0].mean() > image[..., 2].mean()  # channel 0 = red - blue


# -- in the app (real models, offscreen): the featvis tool's wiring ---------------------------
@pytest.fixture
def app(tmp_path):
    from game.app.root import PerturberApp
    from game.core.params import ParamState

    params = ParamState()
    params.update({"object": "sphere_box", "show_predictions": 0, "model2_enabled": 0})
    a = PerturberApp(params=params, offscreen=True, size=(1280, 800))
    fv = a.featvis  # before the first frame asks for anything: tiny jobs, a cache of our own
    fv.cache, fv.size, fv.steps, fv.runner = FeatureVisCache(tmp_path / "fv"), 32, 8, ThreadRunner()
    a.step(3)
    yield a
    a.destroy()


def step_until(app, condition, timeout=60.0):
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        app.step()
    return condition()


def test_the_app_shows_block13_42_on_the_plane_from_the_cache_or_made(app):
    from game.render.assets import is_placeholder

    from tests.game.featvis_fakes import two_colour_image

    fv, params, row = app.featvis, app.params, app.scene_panel.feat_vis
    assert app.activation_view.featvis_status == fv.channel_status
    fv.cache.put(fv.spec_key("block13:42"), two_colour_image())
    params.update({"yaw": 0.0, "pitch": 0.0, "lighting_influence": 0.0, "feat_vis": "block13:42"})
    app.step(3)
    frame = app.pipeline.frame.image.astype(float) / 255
    assert app.pipeline.scene.pair.name == "block13:42"
    assert frame[90, 112, 0] > 0.9 and frame[90, 112, 2] < 0.1     # red above the centre
    assert frame[134, 112, 2] > 0.9 and frame[134, 112, 0] < 0.1   # blue below
    assert row.status.text == ""
    params.set("feat_vis", "block13:43")                            # not cached: made
    assert is_placeholder(app.pipeline.scene.pair)
    assert row.status.text in ("queued", "making 0 %")
    assert step_until(app, lambda: not app.controller.feature_pending)
    assert not is_placeholder(app.pipeline.scene.pair) and row.status.text == ""
    assert fv.channel("mobilenet_v2", 0, "block13", 43) is not None
    params.set("naive_param", 1)                                    # another picture: asked for
    assert app.controller.feature_pending == "block13:43" and fv.spec_key("block13:43").naive
    assert step_until(app, lambda: not app.controller.feature_pending)
    params.set("feat_vis", "block13:999")                            # bad: said, plane kept
    assert "96 channels" in app.messages[-1] and params["feat_vis"] == "block13:43"


def test_the_play_button_makes_a_picture_with_visible_progress(app):
    view = app.activation_view
    row = view.rows[0]
    i = next(k for k, shown in enumerate(row.featvis_shown) if not shown)
    channel = row.channels[i]
    row.request_buttons[i]["command"]()
    assert row.featvis_state[i] in ("queued", "running") and row.request_buttons[i].isHidden()
    states = set()
    assert step_until(app, lambda: states.add(row.featvis_state[i]) or
                      app.featvis.channel("mobilenet_v2", 0, "block13", channel) is not None)
    app.step(2)
    assert row.channels[i] != channel or row.featvis_shown[i]
    assert states & {"queued", "running"}


def test_images_kept_in_memory_are_bounded(service):
    import game.tools.featvis.service as featvis_service

    for channel in range(featvis_service.MEMORY + 5):
        service._remember(key_of(service, channel), np.zeros((2, 2, 3), np.float32))
    assert len(service._memory) == featvis_service.MEMORY
    assert key_of(service, 0) not in service._memory   # the oldest went first


def test_a_picture_missing_on_disk_is_looked_for_again_only_after_a_moment(tmp_path, monkeypatch):
    """The views ask for every shown channel on every frame: a miss is not a disk lookup
    each time, and a picture another process writes shows within ``ABSENT_S``."""
    from game.tools.featvis import service as svc
    from tests.game.featvis_fakes import two_colour_image

    clock = [100.0]
    fv = FeatureVisService(slots=None, cache=FeatureVisCache(tmp_path, shipped=None),
                           process=False)
    fv._clock = lambda: clock[0]
    key = CacheKey("mobilenet_v2", "block13", 7, False, 128, 256)
    looks = []
    real_get = fv.cache.get
    monkeypatch.setattr(fv.cache, "get", lambda k: looks.append(k) or real_get(k))
    assert fv._get(key) is None and fv._get(key) is None
    assert len(looks) == 1
    fv.cache.put(key, two_colour_image())  # made elsewhere meanwhile
    clock[0] += svc.ABSENT_S / 2
    assert fv._get(key) is None and len(looks) == 1
    clock[0] += svc.ABSENT_S
    assert fv._get(key) is not None and len(looks) == 2
    assert key not in fv._absent
