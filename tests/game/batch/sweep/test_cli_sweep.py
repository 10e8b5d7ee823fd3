"""`perturber sweep` as a user runs it (one real run in a subprocess) and its refusals."""
import csv
import json

import numpy as np
import pytest
from PIL import Image

from game.cli import main as cli
from tests.game.batch.sweep.conftest import TINY
from tests.game.cli.test_main import perturber


def test_sweep_writes_csv_pictures_and_json(tmp_path):
    out = perturber("sweep", "--param", "yaw=-60:60:3", "--param", "hue=-0.25:0.25:3",
                    "--object", "sphere_box", "--models", TINY, "--layer", "c1",
                    "--channels", "2,5", "--thumb", "12", "--backend", "inprocess",
                    "--out", str(tmp_path), "--json", timeout=300)
    assert out.returncode == 0, out.stderr
    assert "9/9" in out.stderr and "points/s" in out.stderr       # the progress bar
    summary = json.loads(out.stdout)
    assert summary["points"] == 9 and summary["axes"] == ["yaw=-60:60:3", "hue=-0.25:0.25:3"]
    assert summary["points_per_second"] > 0 and summary["job"]["channels"] == [2, 5]
    assert json.loads((tmp_path / "sweep.json").read_text()) == summary
    rows = list(csv.DictReader(open(tmp_path / "sweep.csv")))
    assert len(rows) == 9
    assert [(r["yaw"], r["hue"]) for r in rows][:4] == [("-60", "-0.25"), ("-60", "0"),
                                                       ("-60", "0.25"), ("0", "-0.25")]
    assert all(r["conv:top5_label"] and r["conv:c1:ch5"] for r in rows)
    assert sorted(summary["files"]) == sorted(
        ["sweep.csv", "heatmap-conv.png", "tuning-conv-c1-ch2.png", "tuning-conv-c1-ch5.png",
         "sweep.json"])
    for name in summary["files"]:
        assert (tmp_path / name).is_file()
    tuning = np.asarray(Image.open(tmp_path / "tuning-conv-c1-ch2.png"))
    assert tuning.shape[0] > 3 * 12 and tuning.shape[1] > 3 * 12


@pytest.mark.parametrize("args, fragment", [
    (["--param", "colour=0:1:3"], "not a continuous parameter"),
    (["--param", "yaw=-200:0:3"], "out of range"),
    (["--param", "yaw=0:1:2", "--param", "hue=0:0.1:2", "--param", "pitch=0:1:2"], "1 or 2 axes"),
    ([], "needs --param"),
    (["--param", "yaw=0:1:2", "--layer", "c0", "--channels", "1,6"], "no channel 6"),
    (["--param", "yaw=0:1:2", "--layer", "block99", "--channels", "1"], "no layer 'block99'"),
    (["--param", "yaw=0:1:2", "--channels", "1"], "--channels needs --layer"),
    (["--param", "yaw=0:1:2", "--channels", "a"], "whole numbers"),
    (["--param", "yaw=0:1:2", "--set", "hue=9"], "out of range"),
    (["--param", "yaw=0:1:2", "--set", "n_neurons=2"], "scene parameters only"),
    (["--param", "yaw=0:1:2", "--models", "nope"], "unknown model"),
    (["--param", "yaw=0:1:2", "--chunk", "0"], "chunk"),
])
def test_bad_input_is_a_clear_error_and_status_2(args, fragment, tmp_path, capsys):
    models = [] if "--models" in args else ["--models", TINY]
    status = cli.main(["sweep", *args, *models, "--backend", "inprocess",
                       "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 2, err
    assert fragment in err and "Traceback" not in err


def test_auto_backend_starts_processes_only_when_they_pay():
    from game.cli.sweep import AUTO_LOCAL_POINTS, choose_backend

    assert choose_backend("auto", 9, None, cores=16) == "inprocess"
    assert choose_backend("auto", AUTO_LOCAL_POINTS, None, cores=16) == "local"
    assert choose_backend("auto", 10 * AUTO_LOCAL_POINTS, None, cores=2) == "inprocess"
    assert choose_backend("auto", 9, 2, cores=2) == "local"          # --workers asks for them
    assert choose_backend("auto", 9, 1, cores=16) == "inprocess"
    assert choose_backend("local", 9, None) == "local"
