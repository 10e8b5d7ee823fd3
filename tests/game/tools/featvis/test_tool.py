"""The feature-vis tool in the running app (real models, offscreen): class pictures say their
cost before their job starts and their progress while it runs, the status line tells a
start, and a click on a class picture shows it large."""
import threading
import time
from pathlib import Path

import pytest

from game.tools.featvis.cost import FIRST_GUESS_STEP_S
from game.tools.featvis.worker import ThreadRunner
from nets.featvis import FeatureVisCache
from ui.vis_status import cost_text

SCREENSHOT = Path(__file__).resolve().parents[4] / "out" / "enlarged_class_vis.png"


class HeldRunner(ThreadRunner):
    """Each job stops after its first progress report until :meth:`release`."""

    def __init__(self):
        super().__init__()
        self.held = threading.Event()
        self.go = threading.Event()

    def run(self, model_id, model, key, on_progress):
        first = [True]

        def report(fraction, preview):
            stop = on_progress(fraction, preview)
            if first[0]:
                first[0] = False
                self.held.set()
                self.go.wait(60)
                self.go.clear()
            return stop

        return super().run(model_id, model, key, report)

    def release(self) -> None:
        self.held.clear()
        self.go.set()


def make_app(**featvis):
    from game.app.root import PerturberApp
    from game.core.params import ParamState

    params = ParamState()
    params.update({"object": "sphere_box", "model2_enabled": 0})
    app = PerturberApp(params=params, offscreen=True, size=(1280, 800))
    for name, value in featvis.items():  # before the first frame asks for anything
        setattr(app.featvis, name, value)
    return app


def step_until(app, condition, timeout=60.0):
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        app.step()
    return condition()


@pytest.fixture
def held(tmp_path):
    runner = HeldRunner()
    app = make_app(cache=FeatureVisCache(tmp_path / "fv", shipped=None), size=32,
                   steps=24, runner=runner)  # 3 reports of 8 steps; nothing shipped at 32 px
    yield app, runner
    runner.go.set()
    app.destroy()


def test_a_class_picture_says_its_cost_then_its_step_and_the_start_is_told(held):
    app, runner = held
    fv, view = app.featvis, app.prediction_view
    assert step_until(app, lambda: view.blocks and view.blocks[0].key is not None)
    block = view.blocks[0]
    model, checkpoint, top_class = block.key
    guess = cost_text(FIRST_GUESS_STEP_S * 24)
    assert fv.class_status(model, checkpoint, top_class).estimate == \
        pytest.approx(FIRST_GUESS_STEP_S * 24)
    assert step_until(app, runner.held.is_set)            # the job made 8 of its 24 steps
    app.step(2)
    assert block.band[2].text in ("step 8/24", "8/24") and not block.band[0].isHidden()
    assert block.picture.hasTexture() and not block.showing_picture   # the picture so far
    note = app.status_line
    assert note.visible and not note.error
    assert note.message.startswith("making the class visualisation of ")
    assert note.message.endswith(f": {guess} of CPU")
    block.hover(1)                                       # another class: queued behind it
    app.step()
    assert block.placeholder.text == f"queued\n{guess}"
    runner.release()                                     # the first job ends; the second starts
    assert step_until(app, lambda: fv.class_image(model, checkpoint, top_class) is not None
                      and runner.held.is_set())
    measured = fv.timings[0]
    block.hover(2)                                       # a third class: the measured cost
    app.step(2)
    assert block.placeholder.text == f"queued\n{cost_text(measured)}"
    assert fv.class_status(*block.key).estimate == pytest.approx(measured)


def test_a_click_on_a_class_picture_shows_it_large(tmp_path):
    """The default scene's top class has a shipped picture: its enlarged view, saved."""
    from game.core.params import ParamState
    from game.app.root import PerturberApp

    params = ParamState()
    params.update({"model2_enabled": 0})
    app = PerturberApp(params=params, offscreen=True, size=(1280, 800))
    try:
        app.featvis.paused = True                        # nothing made: the shipped pictures
        view = app.prediction_view
        assert step_until(app, lambda: view.blocks and view.blocks[0].showing_picture)
        block = view.blocks[0]
        lo, hi = block.picture.getTightBounds(app.base.render2d)
        app.virtual_mouse.move_to((lo.x + hi.x) / 2, (lo.z + hi.z) / 2)
        app.step()
        app.virtual_mouse.press()
        app.step()
        app.virtual_mouse.release()
        app.step()
        big = app.tools["featvis"].enlarged
        assert big.is_open and big.subject.key == block.key
        label = next(e["label"] for e in app.engine.result.outputs[0].top
                     if int(e["index"]) == block.key[2])
        assert big.title.text == f"{label} (class {block.key[2]})"
        assert big.origin.text == "class visualisation (not a photo), shipped with Perturber"
        app.save_window_screenshot(SCREENSHOT)
        app.virtual_mouse.move_to(0.95, 0.95)
        app.step()
        app.virtual_mouse.press()
        app.step()
        app.virtual_mouse.release()
        app.step()
        assert not big.is_open
    finally:
        app.destroy()
