"""The fluctuation score on hand-made logits, the thesis' grid of views, and a model that ignores
its input (real renders of that case: test_cli_experiment.py)."""
import math

import numpy as np
import pytest

from game.batch.experiments import yaw_fluctuation as yf
from game.core.params import ParamError


def test_score_is_the_sum_of_top_k_distances_over_the_prototype_std():
    proto = np.array([3.0, -3.0, 3.0, -3.0])  # mean 0, population std exactly 3
    variations = [
        np.array([6.0, 9.0, -1.0, 0.0]),   # top-2 classes (0, 2) move by (-3, 4): distance 5
        np.array([3.0, 50.0, 3.0, -7.0]),  # only classes outside the top 2 move: 0
        np.array([3.0, -3.0, 9.0, -3.0]),  # (0, -6): distance 6
    ]
    assert yf.fluctuation_score(proto, variations, k=2) == pytest.approx((5 + 0 + 6) / 3, abs=1e-12)


def test_default_top_10_ignores_the_other_classes():
    proto = np.arange(12, dtype=float)[::-1].copy()  # 11, 10, ..., 0: top 10 = classes 0..9
    moved = proto.copy()
    moved[10:] += 100.0           # the two classes outside the top 10: ignored
    moved[0] += 2.0               # one top-10 logit moves by 2
    expected = 2.0 / np.std(proto)
    assert yf.fluctuation_score(proto, [moved, proto]) == pytest.approx(expected, abs=1e-12)


def test_constant_logits_score_zero_and_degenerate_std():
    proto = np.linspace(2.0, -2.0, 12)
    assert yf.fluctuation_score(proto, [proto.copy() for _ in range(6)]) == 0.0
    flat = np.zeros(5)
    assert yf.fluctuation_score(flat, [flat]) == 0.0
    assert math.isinf(yf.fluctuation_score(flat, [np.ones(5)]))


def test_the_thesis_grid_4_objects_x_7_yaws_x_2_pitches_x_2_distances():
    vs = yf.views()
    assert len(vs) == 4 * 7 * 2 * 2 == 112
    assert {v.object for v in vs} == {"dog", "cat", "fire_truck", "race_car"}
    assert sorted({v.yaw for v in vs}) == [-70.0, -46.7, -23.3, 0.0, 23.3, 46.7, 70.0]
    groups = {v.prototype_key for v in vs}
    assert len(groups) == 16
    for g in groups:  # one prototype per object, pitch and distance, at yaw -23.3
        protos = [v for v in vs if v.prototype_key == g and v.is_prototype]
        assert len(protos) == 1 and protos[0].yaw == -23.3
    pts = yf.points(vs, {"dog_cat": 4.0, "truck_car": 5.0})
    assert len(pts) == 112
    dog, car = pts[0], pts[-1]
    assert dog["object"] == "dog_cat" and dog["shape_morph"] == dog["texture_morph"] == 0.0
    assert car["object"] == "truck_car" and car["shape_morph"] == car["texture_morph"] == 1.0
    assert dog["background"] == "lawn" and car["background"] == "street"  # their home
    assert {p["distance"] for p in pts if p["object"] == "dog_cat"} == {4.0, 5.0}
    assert {p["pitch"] for p in pts} == {0.0, -16.7}


def test_yaws_must_include_the_prototype():
    with pytest.raises(ParamError, match="-23.3"):
        yf.views(yaws=(0.0, 10.0))
    with pytest.raises(ParamError, match="unknown object"):
        yf.views(objects=("horse",))


def test_prototype_and_object_scores():
    vs = yf.views(objects=("dog",), yaws=(-23.3, 0.0), pitches=(0.0,), distances=(1.0, 1.25))
    proto = np.array([3.0, -3.0, 3.0, -3.0])
    logits = [{"m": proto, "still": proto}, {"m": proto + [3, 0, 0, 0], "still": proto},
              {"m": proto, "still": proto}, {"m": proto + [0, 0, 6, 0], "still": proto}]
    rows = yf.prototype_scores(vs, logits, ["m", "still"], k=2)
    assert [(r["distance"], r["model"], r["score"]) for r in rows] == [
        (1.0, "m", 1.0), (1.0, "still", 0.0), (1.25, "m", 2.0), (1.25, "still", 0.0)]
    summary = yf.object_scores(rows, ["m", "still"])
    assert summary["dog"]["m"] == {"mean": 1.5, "std": 0.5, "n": 2, "prototypes": [1.0, 2.0]}
    assert summary["dog"]["still"]["mean"] == 0.0


def test_paired_against_the_first_model():
    rows = [{"object": "dog", "pitch": 0.0, "distance": d, "model": m, "score": s}
            for d, m, s in ((1.0, "std", 2.0), (1.0, "adv", 3.0), (1.25, "std", 2.0),
                            (1.25, "adv", 1.0))]
    assert yf.paired(rows, ["std", "adv"]) == {
        "adv": {"higher": 1, "lower": 1, "total": 2, "against": "std"}}
