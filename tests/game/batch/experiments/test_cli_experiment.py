"""`perturber experiment ...` end to end on tiny models and a reduced grid: real renders
(headless, in a subprocess: no ShowBase in the test process), CSV + PNG + JSON."""
import csv
import json
import os
import subprocess
import sys

from PIL import Image

TINY = "py:tests.game.batch.sweep.tiny_models:"
MODELS = f"{TINY}constant,{TINY}conv"


def perturber(*args, timeout=240):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.run([sys.executable, "-m", "game.cli", "experiment", *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_yaw_fluctuation_of_an_input_ignoring_model_is_zero(tmp_path):
    out = perturber("yaw-fluctuation", "--models", MODELS, "--objects", "dog,race_car",
                    "--yaws=-23.3,46.7", "--pitches=0,-16.7", "--distances=1",
                    "--backend", "inprocess", "--net-backend", "torch", "--thumb", "32", "--json",
                    "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["inference_backend"] == "torch" and report["backend"] == "inprocess"
    const, conv = f"{TINY}constant", f"{TINY}conv"
    for obj in ("dog", "race_car"):
        assert report["scores"][obj][const] == {"mean": 0.0, "std": 0.0, "n": 2,
                                                "prototypes": [0.0, 0.0]}
        assert report["scores"][obj][conv]["mean"] > 0  # it does look at the image
    views = rows(tmp_path / "yaw_fluctuation.csv")
    assert len(views) == 2 * 2 * 2 * 2  # objects x yaws x pitches x models
    assert {float(r["yaw"]) for r in views if r["prototype"] == "1"} == {-23.3}
    assert len(rows(tmp_path / "yaw_fluctuation_scores.csv")) == 2 * 2 * 2
    assert Image.open(tmp_path / "yaw_fluctuation.png").mode == "RGB"
    assert Image.open(tmp_path / "yaw_fluctuation_inputs.png").size == (2 * 34, 4 * 34)
    saved = json.loads((tmp_path / "yaw_fluctuation.json").read_text())
    assert saved["scores"] == report["scores"] and "experiment yaw-fluctuation" in saved["command"]


def test_backgrounds_counts_top1_changes(tmp_path):
    out = perturber("backgrounds", "--models", MODELS, "--objects", "cat",
                    "--backgrounds", "lawn,noise", "--conditions", "plain,desaturated",
                    "--yaws=-45", "--backend", "inprocess", "--thumb", "0", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "top-1 changed vs grey" in out.stdout
    report = json.loads((tmp_path / "backgrounds.json").read_text())
    assert report["inference_backend"] == "auto"  # the default: onnx where it works
    assert report["changed"][f"{TINY}constant"]["changed"] == 0
    assert report["changed"][f"{TINY}constant"]["total"] == 4
    table = rows(tmp_path / "backgrounds.csv")
    assert len(table) == (1 + 2 * 2) * 2  # (grey + 2 backgrounds x 2 conditions) x models
    assert (tmp_path / "backgrounds.png").exists()
    assert (tmp_path / "backgrounds" / "grey.png").exists()


def test_bad_input_is_a_clear_error(tmp_path, capsys):
    """Refused before anything renders, so this runs in the test process."""
    from game.cli.main import main

    for args, fragment in ((["yaw-fluctuation", "--yaws=0,10"], "prototype yaw"),
                           (["yaw-fluctuation", "--models", "nope"], "unknown model"),
                           (["yaw-fluctuation", "--models", "py:os:getcwd"], "not a nets."),
                           (["backgrounds", "--objects", "horse"], "unknown 'horse'"),
                           (["backgrounds", "--backgrounds", "moon"], "built-in name"),
                           (["backgrounds", "--conditions", "sepia"], "unknown 'sepia'")):
        assert main(["experiment", *args, "--out", str(tmp_path)]) == 2, args
        err = capsys.readouterr().err
        assert fragment in err, (args, err)


def test_the_networks_backend_is_an_option_of_both_experiments():
    from game.cli.main import build_parser

    parse = build_parser().parse_args
    for experiment in ("yaw-fluctuation", "backgrounds"):
        args = parse(["experiment", experiment, "--out", "d", "--net-backend", "openvino"])
        assert (args.backend, args.inference) == ("local", "openvino")
        assert parse(["experiment", experiment, "--out", "d"]).inference == "auto"
