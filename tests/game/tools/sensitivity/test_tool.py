"""Sensitivity at each control: the stencils, exact derivatives, real renders, the app tool."""
import time
from pathlib import Path

import numpy as np
import pytest

from game.core.params import BY_NAME, ParamState
from game.tools.sensitivity.tool import (DEBOUNCE_S, STEP, Stencil, compute, derivatives, plan,
                              probed_params)
from game.batch.sweep.job import PointResult, SceneSpec
from tests.game.conftest import sphere_box_app

TINY = "py:tests.game.batch.sweep.tiny_models:conv"
CONSTANT = "py:tests.game.batch.sweep.tiny_models:constant"
OUT = Path(__file__).resolve().parents[2] / "out"


# -- the computation, no renders --------------------------------------------------------
def test_probed_parameters_are_the_continuous_scene_ones():
    names = [p.name for p in probed_params()]
    assert "yaw" in names and "hue" in names and "overall_morph" in names
    assert "patch_shuffle" not in names                        # integer: no derivative
    assert "attack_eps" not in names and "n_neurons" not in names  # not the frame's


def test_plan_central_inside_one_sided_at_a_bound():
    values = ParamState().values()                 # hue 0 (inside), alpha 1 (upper bound)
    points, stencils = plan(values, ["hue", "alpha", "background_blur"])
    hue, alpha, blur = stencils
    h = STEP * (BY_NAME["hue"].max - BY_NAME["hue"].min)
    assert (hue.lo, hue.hi) == pytest.approx((-h, h)) and not hue.one_sided
    assert points[hue.i_lo] == {"hue": pytest.approx(-h)} and points[hue.i_hi] == {"hue": pytest.approx(h)}
    assert alpha.one_sided and alpha.i_hi == 0 and alpha.hi == 1.0     # f(1) is point 0
    assert points[alpha.i_lo] == {"alpha": pytest.approx(0.98)}
    assert blur.one_sided and blur.i_lo == 0 and points[blur.i_hi] == {"background_blur": pytest.approx(0.02)}
    assert points[0] == {} and len(points) == 1 + 2 + 1 + 1


def test_the_linked_overall_morph_moves_its_followers_too():
    values = {**ParamState().values(), "overall_morph": 0.5, "shape_morph": 0.5,
              "texture_morph": 0.3}
    points, (s,) = plan(values, ["overall_morph"])
    assert points[s.i_hi] == {"overall_morph": pytest.approx(0.52), "shape_morph": pytest.approx(0.52),
                              "texture_morph": pytest.approx(0.32)}


def _result(i, logits, thumb_value):
    logits = np.asarray(logits, np.float32)
    top = int(np.argmax(logits))
    return PointResult(i, {}, {"m": [{"index": top, "label": f"class {top}", "logit": float(logits[top]),
                                      "prob": 0.5}]},
                       logits={"m": logits}, thumb=np.full((2, 2, 3), thumb_value, np.uint8))


def test_derivatives_hold_the_top_class_and_are_exact():
    stencils = [Stencil("hue", 0.0, -0.02, 0.02, 1, 2), Stencil("alpha", 1.0, 0.98, 1.0, 3, 0),
                Stencil("yaw", -45.0, -52.2, -37.8, 4, 5)]
    results = [_result(0, [0.0, 2.0, 1.0], 10),
               _result(1, [0.0, 1.9, 5.0], 11), _result(2, [0.0, 2.1, 0.0], 12),   # hue
               _result(3, [0.0, 1.5, 0.0], 13),                                    # alpha 0.98
               _result(4, [0.0, 2.0001, 0.0], 14), _result(5, [0.0, 2.0, 0.0], 14)]  # yaw: same frame
    s = derivatives(results, stencils, "m")
    assert s.cls == 1 and s.label == "class 1" and s.logit == 2.0  # class 2 overtakes at hue-h: ignored
    assert s.d["hue"] == pytest.approx(0.2 / 0.04)
    assert s.d["alpha"] == pytest.approx(0.5 / 0.02) and s.one_sided == {"alpha"}
    assert s.d["yaw"] == 0.0                     # identical renders: exactly 0
    assert s.span("hue") == pytest.approx(5.0) and s.span("alpha") == pytest.approx(25.0)
    assert s.largest_span() == pytest.approx(25.0)


# -- real renders in this process ----------------------------------------------------------
@pytest.fixture(scope="module")
def pool():
    from game.batch.sweep import worker
    from game.batch.sweep.executor import Pool

    with Pool("inprocess", workers=1) as p:
        yield p
    worker.shutdown()


@pytest.fixture(scope="module")
def scene(background_file):
    params = ParamState()
    params.update({"object": "sphere_box", "background": str(background_file), "yaw": -30})
    return SceneSpec.from_params(params)


def test_a_parameter_that_does_not_change_the_frame_has_exactly_zero(pool, scene):
    # At the defaults the frequency decomposition is the identity (both alphas 1, no
    # extra blur, no hue): its cutoff does not change a pixel. Hue does.
    s = compute(pool, scene, TINY, ["freq_cutoff", "hue", "distance"])
    assert s.d["freq_cutoff"] == 0.0
    assert s.d["hue"] != 0.0 and s.d["distance"] != 0.0
    # With alpha 0 the frame is black before hue and saturation are applied.
    dark = compute(pool, scene.with_values(alpha=0.0), TINY, ["hue", "saturation"])
    assert dark.d == {"hue": 0.0, "saturation": 0.0}


def test_a_model_that_ignores_its_input_gives_all_zeros(pool, scene):
    s = compute(pool, scene, CONSTANT, ["hue", "yaw", "alpha"])
    assert s.cls == 0 and s.d == {"hue": 0.0, "yaw": 0.0, "alpha": 0.0}


# -- the app tool ----------------------------------------------------------------------------
def run_until(app, done, timeout=240.0):
    """Step the app until ``done()``; the longest step (s)."""
    t0, worst = time.monotonic(), 0.0
    while not done():
        assert time.monotonic() - t0 < timeout, "timed out"
        s = time.monotonic()
        app.step()
        worst = max(worst, time.monotonic() - s)
    return worst


@pytest.fixture(scope="module")
def app(background_file):
    from game.batch.sweep import worker

    worker.shutdown()  # the in-process renderer above: one ShowBase per process
    a = sphere_box_app(background_file)
    tool = a.tools["sensitivity"]
    tool.model_spec = TINY
    a.step(3)
    yield a
    a.destroy()


def test_off_by_default_then_bars_after_the_scene_settles(app):
    tool = app.tools["sensitivity"]
    assert not app.params.flag("show_sensitivity") and tool.runs == 0
    assert all(b.root.isHidden() for b in tool.bars.bars.values())
    app.params.set("show_sensitivity", 1)
    app.step()
    assert tool.runs == 0                         # waits DEBOUNCE_S for the scene to settle
    worst = run_until(app, lambda: tool.state == "done" and not tool.busy)
    assert worst < 5.0                            # the window kept stepping meanwhile
    r = tool.result
    assert r.model == TINY and set(r.d) == {p.name for p in probed_params()}
    assert r.d["freq_cutoff"] == 0.0 and r.d["hue"] != 0.0
    bars = tool.bars.bars
    assert "patch_shuffle" not in bars
    assert bars["freq_cutoff"].bar.isHidden() and not bars["hue"].bar.isHidden()
    assert max(abs(b.fraction) for b in bars.values()) == pytest.approx(1.0)
    assert not tool.stale and "d logit" in tool.header.status.text


def test_a_change_dims_the_bars_and_a_stale_run_is_cancelled(app):
    tool = app.tools["sensitivity"]
    if tool.result is None:
        pytest.skip("needs the previous test's result")
    runs = tool.runs
    app.params.set("hue", 0.1)
    assert tool.stale and tool.bars.stale
    time.sleep(DEBOUNCE_S)
    app.step(2)
    assert tool.runs == runs + 1 and tool.busy
    app.params.set("hue", 0.2)                    # the running one is now stale
    time.sleep(DEBOUNCE_S)
    app.step(2)
    assert tool.runs == runs + 2
    run_until(app, lambda: tool.state == "done" and not tool.busy)
    assert tool._shown_key == tool.key() and not tool.stale
    assert dict(tool._shown_key[0].values)["hue"] == pytest.approx(0.2)


def test_hover_shows_the_numbers_and_the_screenshot(app):
    tool = app.tools["sensitivity"]
    if tool.result is None:
        pytest.skip("needs a result")
    tool.bars._hover("distance", True)
    assert "Distance" in tool.bars.tip_text.text and not tool.bars.tip.isHidden()
    path = app.save_window_screenshot(OUT / "test_sensitivity.png")
    assert path.stat().st_size > 10_000
    tool.bars._hover("distance", False)
    app.params.set("show_sensitivity", 0)
    app.step()
    assert all(b.root.isHidden() for b in tool.bars.bars.values())
