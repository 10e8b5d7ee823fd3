"""`perturber attack`, run as a user runs it (a subprocess)."""
import json

import numpy as np
import pytest
from PIL import Image

from tests.game.cli.test_main import perturber


def test_attack_writes_png_npz_and_json(tmp_path):
    png, npz = tmp_path / "adv.png", tmp_path / "adv.npz"
    out = perturber("attack", "--model", "mobilenet_v2", "--norm", "l2", "--eps", "1",
                    "--steps", "2", "--out", str(png), "--save", str(npz), "--json", timeout=300)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["model"] == "mobilenet_v2" and report["norm"] == "l2"
    assert report["eps"] == 1.0 and report["eps_image"] == 1.0 and report["steps"] == 2
    assert report["target"] is None
    for key in ("before", "after"):
        assert set(report[key]) == {"index", "label", "prob"} and 0 <= report[key]["prob"] <= 1
    assert report["original_after"]["index"] == report["before"]["index"]
    assert report["original_after"]["prob"] < report["before"]["prob"]  # untargeted: it falls
    data = np.load(npz)
    clean, adv = data["clean"], data["adversarial"]
    assert clean.shape == adv.shape == (3, 224, 224)
    assert clean.dtype == adv.dtype == np.float32
    assert 0 <= adv.min() and adv.max() <= 1
    delta = (adv - clean).astype(np.float64)
    l2 = float(np.sqrt((delta ** 2).sum()))
    assert report["perturbation"]["l2"] == pytest.approx(l2, rel=1e-4)
    assert report["perturbation"]["linf"] == pytest.approx(np.abs(delta).max(), rel=1e-4)
    assert 0.2 < l2 <= 2 / 8 + 1e-4  # two steps of eps/8, minus what the clamp cut
    assert np.asarray(Image.open(png)).shape == (224, 224, 3)


def test_targeted_linf_attack_in_255_units(tmp_path):
    out = perturber("attack", "--object", "sphere_box", "--norm", "linf", "--eps", "4",
                    "--steps", "1", "--target", "281", "--json", timeout=300)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["eps_image"] == pytest.approx(4 / 255)
    assert report["target"] == {"index": 281, "label": "tabby"}
    assert report["perturbation"]["linf"] == pytest.approx(0.5 / 255, rel=1e-3)  # eps / 8


@pytest.mark.parametrize("args, fragment", [
    (["--eps", "-1"], "out of range"),
    (["--eps", "nan"], "not a finite number"),
    (["--norm", "l1"], "choose l2 or linf"),
    (["--steps", "two"], "whole number"),
    (["--steps", "-3"], "--steps -3"),
    (["--threads", "x"], "--threads"),
    (["--target", "5000"], "0..999"),
    (["--target", "cat"], "matches"),
    (["--target", "zebrafish"], "no class"),
    (["--model", "nope"], "unknown model"),
    (["--model", "mobilenet_v2,efficientnet_lite0"], "one model at a time"),
    (["--out", "x.jpg"], "give a .png file"),
    (["--set", "hue=9"], "out of range"),
])
def test_bad_input_is_refused_before_rendering(capsys, args, fragment):
    """In-process (every check runs before the renderer starts): status 2, a message."""
    from game.cli.main import main

    assert main(["attack", "--steps", "1", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("perturber: error:") and fragment in err, err


def test_bad_input_exits_with_status_2_and_no_traceback():
    out = perturber("attack", "--eps", "inf", timeout=300)
    assert out.returncode == 2, out.stderr
    assert "attack_eps" in out.stderr and "Traceback" not in out.stderr


def test_outputs_are_checked_before_the_attack(tmp_path, capsys):
    from game.cli.main import main

    (tmp_path / "adv.png").write_bytes(b"earlier")
    assert main(["attack", "--steps", "1", "--out", str(tmp_path / "adv.png")]) == 2
    assert "--force" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["attack", "--steps", "1", "--save", str(tmp_path / "file" / "a.npz")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert (tmp_path / "adv.png").read_bytes() == b"earlier"
