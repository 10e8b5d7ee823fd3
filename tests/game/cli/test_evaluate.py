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
