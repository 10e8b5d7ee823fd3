"""The whole app, offscreen through EGL: frames, mouse, GUI wiring, bad input."""
import numpy as np
import pytest
from PIL import Image

from tests.game.conftest import sphere_box_app


@pytest.fixture(scope="module")
def app(background_file):
    a = sphere_box_app(background_file)
    a.frames = []  # every frame read back and handed to inference
    submit = a.engine.submit

    def spy(frame=None):
        if frame is not None:
            a.frames.append(frame)
        submit(frame)

    a.engine.submit = spy
    a.step(3)
    yield a
    a.destroy()


def test_every_frame_task_of_the_app_runs_at_a_named_stage(app):
    from game.core.stages import Stage

    panda = {"resetPrevTransform", "dataLoop", "eventManager", "ivalLoop", "collisionLoop",
             "garbageCollectStates", "igLoop", "audioLoop"}
    ours = [t for t in app.base.taskMgr.getAllTasks()  # one-shot timers are not frame tasks
            if t.getName() not in panda and t.getTaskChain() == "default" and not t.hasDelay()]
    assert {t.getName() for t in ours} >= {"perturber-render-or-arm", "perturber-capture",
                                           "perturber-infer", "perturber-attack",
                                           "perturber-featvis", "perturber-gamepad"}
    stages = {s.value for s in Stage}
    assert all(t.getSort() in stages for t in ours), [(t.getName(), t.getSort()) for t in ours]


def view_point(app, fx, fy):
    """A point inside the scene view, as fractions (0..1) of its width and height."""
    left, right, bottom, top = app.layout.scene_view_bounds()
    return left + fx * (right - left), bottom + fy * (top - bottom)


def test_frames_are_read_back_only_when_something_changed(app):
    app.step(2)
    n = len(app.frames)
    app.step(5)
    assert len(app.frames) == n  # nothing changed: no render, no readback
    app.params.set("hue", 0.2)
    app.step(3)
    assert len(app.frames) == n + 1
    frame = app.frames[-1]
    assert frame.params_version == app.params.version
    assert frame.image.shape == (224, 224, 3) and frame.as_float().shape == (3, 224, 224)
    app.params.set("hue", 0.0)
    app.step(3)


def test_drag_in_the_scene_view_orbits_the_camera(app):
    vm = app.virtual_mouse
    yaw, pitch = app.params["yaw"], app.params["pitch"]
    vm.move_to(*view_point(app, 0.5, 0.5))
    app.step()
    vm.press("mouse1")
    app.step()
    vm.move_to(*view_point(app, 0.7, 0.6))
    app.step(2)
    vm.release("mouse1")
    app.step()
    assert app.params["yaw"] < yaw  # dragged right: the camera swings left
    assert app.params["pitch"] < pitch


def test_wheel_dollies_and_middle_drag_pans(app):
    vm = app.virtual_mouse
    d = app.params["distance"]
    vm.move_to(*view_point(app, 0.5, 0.5))
    app.step()
    vm.wheel(up=True)
    app.step()
    assert app.params["distance"] < d
    vm.press("mouse2")
    app.step()
    vm.move_to(*view_point(app, 0.3, 0.5))
    app.step(2)
    vm.release("mouse2")
    app.step()
    assert app.params["pan_x"] > 0


def test_drag_outside_the_scene_view_leaves_the_camera_alone(app):
    vm = app.virtual_mouse
    before = {k: app.params[k] for k in ("yaw", "pitch", "distance")}
    vm.move_to(0.3, 0.5)  # the Models column
    app.step()
    vm.press("mouse1")
    vm.move_to(0.5, 0.2)
    app.step(2)
    vm.release("mouse1")
    vm.wheel(up=True)
    app.step()
    assert {k: app.params[k] for k in before} == before


def test_a_slider_drives_the_frame(app):
    n = len(app.frames)
    before = app.frames[-1].image
    app.scene_panel.sliders["saturation"].slider["value"] = 0.0
    app.step(3)
    assert app.params["saturation"] == 0.0
    img = app.frames[-1].image.astype(int)
    assert len(app.frames) > n and not np.array_equal(img, before)
    assert np.abs(img[..., 0] - img[..., 2]).max() <= 1
    app.params.set("saturation", 1.0)
    app.step(3)


def test_a_broken_background_file_is_reported_and_nothing_is_lost(app, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    good = app.params["background"]
    app.params.set("background", str(broken))
    app.step(3)
    assert app.params["background"] == good
    assert "broken.png" in app.messages[-1]
    app.params.set("hue", 0.1)
    app.step(3)
    assert app.frames[-1].params_version == app.params.version
    app.params.set("hue", 0.0)


def test_custom_glsl_errors_show_in_the_panel(app):
    error = app.pipeline.set_custom_snippet("return nope;")
    assert error and "nope" in error
    assert app.pipeline.set_custom_snippet(app.pipeline.custom.snippet) is None


def test_window_screenshot_shows_the_scene(app, tmp_path):
    path = app.save_window_screenshot(tmp_path / "window.png")
    img = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert img.shape == (800, 1280, 3)
    # The scene view (left, right, bottom, top in [-1, 1]) holds the rendered frame.
    left, right, bottom, top = app.layout.scene_view_bounds()
    x0, x1 = int((left + 1) / 2 * 1280), int((right + 1) / 2 * 1280)
    y0, y1 = int((1 - top) / 2 * 800), int((1 - bottom) / 2 * 800)
    view = img[y0 + 2:y1 - 2, x0 + 2:x1 - 2]
    assert view.std() > 20 and view.mean() > 30


def test_a_screenshot_in_worker_mode_shows_the_results_of_its_frame(app, tmp_path):
    app.params.update({"inference_mode": "worker", "yaw": app.params["yaw"] + 7.0})
    try:
        app.save_window_screenshot(tmp_path / "worker.png")
        assert app.engine.result is not None
        assert app.engine.result.frame_serial == app.pipeline.frame.serial
    finally:
        app.params.update({"inference_mode": "sync", "yaw": app.params["yaw"] - 7.0})
        app.step(2)
