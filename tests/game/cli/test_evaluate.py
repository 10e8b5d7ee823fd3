"""`perturber evaluate`: options are checked, and merged results must share their settings."""
import json

import pytest

from game.cli import main as cli
from game.cli.evaluate import earlier_result, requested_settings
from game.core.params import ParamError


@pytest.mark.parametrize("argv, message", [
    (["--steps", "-3"], "--steps: -3 is out of range"),
    (["--n", "-5"], "--n: -5 is out of range"),
    (["--l2", "nan"], "--l2: 'nan' is not a finite number"),
    (["--l2", "0.5,-1"], "--l2: -1 must be > 0"),
    (["--linf", ","], "--linf: ',': give at least one number"),
    (["--merge", "/no/such.json"], "--merge: /no/such.json: no such file"),
])
def test_nonsense_is_refused_before_any_work(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path / "cache"))
    with pytest.raises(SystemExit) as exit_:
        cli.main(["evaluate", *argv])
    assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "cache").exists()


def settings(**changes):
    args = cli.build_parser().parse_args(["evaluate", *sum(([f"--{k}", v] for k, v in changes.items()), [])])
    return requested_settings(args)


def test_merge_refuses_a_result_made_with_other_settings(tmp_path):
    path = tmp_path / "earlier.json"
    path.write_text(json.dumps({"settings": settings(steps="50"), "models": {"a": {}}}))
    with pytest.raises(ParamError, match="other settings.*pgd_steps"):
        earlier_result(path, settings())
    assert earlier_result(path, settings(steps="50"))["models"] == {"a": {}}


@pytest.mark.parametrize("text", ["not json", "[]", '{"models": {}}'])
def test_merge_refuses_what_is_not_an_evaluation(tmp_path, text):
    path = tmp_path / "earlier.json"
    path.write_text(text)
    with pytest.raises(ParamError, match="--merge"):
        earlier_result(path, settings())


def test_an_existing_out_file_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path / "cache"))
    (tmp_path / "r.json").write_text("earlier")
    assert cli.main(["evaluate", "--out", str(tmp_path / "r.json")]) == 2
    assert "--force" in capsys.readouterr().err
    assert not (tmp_path / "cache").exists()


def test_every_measure_of_a_tiny_model_is_a_share_and_robustness_only_falls():
    import torch

    from game.cli.evaluate import evaluate_model, markdown_table
    from nets.classifier import Classifier
    from nets.groups import CLASS_SETS
    from nets.training import metrics
    from tests.nets.training.conftest import Tiny

    torch.manual_seed(0)
    model = Classifier("tiny", Tiny(1000), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25), ())
    reference = Classifier("ref", Tiny(1000), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25), ())
    objects = ["dog", "cat", "fire_truck", "race_car"]
    data = {"renders": torch.rand(6, 3, 32, 32), "photos": torch.rand(2, 3, 32, 32),
            "cue": torch.rand(2, 3, 32, 32), "cue_shape": ["dog", "cat"], "cue_texture": ["cat", "dog"],
            "views": torch.rand(4, 3, 32, 32), "views_object": objects,
            "views_masks": metrics.class_set_masks(objects, CLASS_SETS)}
    labels = {}
    for split in ("renders", "photos"):
        labels[split] = metrics.predict(reference, data[split])
        labels[split][:2] = metrics.predict(model, data[split][:2])   # some agreement
        data[f"{split}_top5"] = metrics.topk(reference, data[split], 5)
    row = evaluate_model(model, labels, data, [1, 3], [0.01, 1.0], [1], spectra=3, viewer=reference)
    renders = row["renders"]
    assert renders["clean"] == pytest.approx(2 / 6) and 0 <= renders["top5_overlap"] <= 1
    for eps in ("0.01", "1"):
        assert renders[f"l2_{eps}@3"] <= renders[f"l2_{eps}@1"] <= renders["clean"]
    assert renders["l2_1@1"] <= renders["l2_0.01@1"] and "linf_1@3" in renders
    assert set(row["photos"]) >= {"l2_0.5@1", "l2_0.5@3"} and "linf_1@1" not in row["photos"]
    assert 0 <= renders["lowfreq_l2_0.5_0.125"] <= renders["lowfreq_l2_0.5_0.25"] <= 1
    assert renders["perturbation_flipped"] <= 3
    objects_row = row["objects"]
    assert set(objects) | {"all"} <= set(objects_row)
    assert objects_row["l2_1@3"] <= objects_row["l2_0.01@1"] <= objects_row["all"]
    table = markdown_table({"models": {"tiny": row}, "settings": {}})
    assert "| objects: superclass accuracy, fire truck |" in table
    assert "| objects: robust superclass accuracy (all four), L2 eps 0.01, 3 steps |" in table
    assert "| renders: robust, LINF eps 1/255, 1 step |" in table
