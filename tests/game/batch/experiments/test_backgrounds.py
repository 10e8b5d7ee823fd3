"""Counting top-1 changes against a reference, on hand-made results."""
import numpy as np
import pytest

from game.batch.experiments import backgrounds as bg
from game.core.params import ParamError

V = bg.Variant


def test_variants_reference_first_then_every_background_and_condition():
    vs = bg.variants()
    per_view = 1 + len(bg.BACKGROUNDS) * len(bg.CONDITIONS)
    assert len(vs) == 4 * len(bg.YAWS) * per_view
    assert vs[0] == V("dog", -70.0, "grey", "plain")
    assert V("cat", -45.0, "street", "desaturated") in vs
    assert bg.variants(("dog",), ("grey", "lawn"), ("plain",), (10,)) == [
        V("dog", 10.0, "grey", "plain"), V("dog", 10.0, "lawn", "plain")]
    with pytest.raises(ParamError, match="condition"):
        bg.variants(conditions=("sepia",))


def test_changes_counted_against_the_grey_and_the_home_reference():
    vs = bg.variants(("dog",), ("lawn", "street"), ("plain", "blur"), (0.0, 30.0))
    # per yaw: grey, lawn plain, lawn blur, street plain, street blur
    top1 = [{"a": a, "const": 0} for a in (5, 5, 7, 6, 5) + (1, 2, 2, 2, 2)]
    grey = bg.count_changes(vs, top1, ["a", "const"], bg.grey_reference)
    assert (grey["a"]["changed"], grey["a"]["total"]) == (2 + 4, 8)
    assert grey["a"]["rate"] == 0.75
    assert grey["a"]["by_condition"] == {"plain": {"changed": 3, "total": 4},
                                         "blur": {"changed": 3, "total": 4}}
    assert grey["a"]["by_background"]["lawn"] == {"changed": 3, "total": 4}
    assert (grey["const"]["changed"], grey["const"]["total"]) == (0, 8)
    # the dog's home is the lawn, plain: yaw 0: grey 5 same, lawn blur 7 and street plain 6
    # changed; yaw 30 (home 2): only grey (1) changed
    home = bg.count_changes(vs, top1, ["a"], bg.home_reference)
    assert (home["a"]["changed"], home["a"]["total"]) == (2 + 1, 8)
    no_ref = bg.count_changes(vs[1:5], top1[1:5], ["a"], bg.grey_reference)
    assert no_ref["a"]["total"] == 0


def test_correct_counts_top1_in_the_objects_class_set():
    vs = bg.variants(("dog", "fire_truck"), ("lawn",), ("plain",), (0.0,))
    top1 = [{"m": i} for i in (151, 555, 555, 555)]  # dog grey, dog lawn, truck grey, truck lawn
    hits = bg.correct(vs, top1, ["m"], {"dog": range(151, 269), "fire_truck": (555,)})
    assert (hits["m"]["hits"], hits["m"]["total"]) == (3, 4)
    assert hits["m"]["by_condition"] == {"reference": {"hits": 2, "total": 2},
                                         "plain": {"hits": 1, "total": 2}}


def test_background_specs(tmp_path):
    specs = bg.background_specs(["grey", "noise", "lawn"], tmp_path)
    assert specs["lawn"] == "lawn"
    from PIL import Image

    grey = np.asarray(Image.open(specs["grey"]))
    assert grey.min() == grey.max() == 128
    assert np.asarray(Image.open(specs["noise"])).std() > 20
    with pytest.raises(ParamError, match="built-in name"):
        bg.background_specs(["moon"], tmp_path)
    with pytest.raises(ParamError, match="not found"):
        bg.background_specs([str(tmp_path / "missing.png")], tmp_path)
    pts = bg.points([V("cat", -45.0, "grey", "plain"), V("cat", 0.0, "lawn", "flat")], specs)
    assert pts[0] == {"object": "dog_cat", "shape_morph": 1.0, "texture_morph": 1.0,
                      "yaw": -45.0, "background": specs["grey"]}
    assert pts[1]["background"] == "lawn" and pts[1]["background_blur"] == 1.0


def test_paired_counts_and_sign_test():
    vs = bg.variants(("dog",), ("lawn", "street"), ("plain", "blur"), (0.0,))
    top1 = [{"std": s, "rob": r} for s, r in ((1, 1), (1, 2), (1, 2), (3, 1), (1, 1))]
    pair = bg.paired(vs, top1, ["std", "rob"], bg.grey_reference)
    assert pair["rob"]["only_this"] == 2 and pair["rob"]["only_first"] == 1
    assert pair["rob"]["p"] == 1.0
    from game.batch.experiments.common import sign_test

    assert sign_test(0, 5) == 2 / 32 and sign_test(0, 0) == 1.0
