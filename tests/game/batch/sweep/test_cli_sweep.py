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
    (["--param", "yaw=-180:180:1000", "--param", "hue=-0.5:0.5:1000"], "more than a sweep takes"),
    (["--param", "yaw=0:1:2", "--workers", "200"], "--force-workers"),
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


@pytest.mark.parametrize("args, fragment", [
    (["--chunk", "0"], "--chunk: 0 is out of range"),
    (["--top", "-1"], "--top: -1 is out of range"),
    (["--thumb", "0"], "--thumb: 0 is out of range"),
    (["--workers", "0"], "--workers: 0 is out of range"),
])
def test_nonsense_options_stop_at_the_parser(args, fragment, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["sweep", "--param", "yaw=0:1:2", *args, "--models", TINY,
                  "--out", str(tmp_path / "o")])
    assert exit_.value.code == 2 and fragment in capsys.readouterr().err


def test_an_unreachable_ray_address_is_refused_at_once(tmp_path, capsys):
    pytest.importorskip("ray")
    status = cli.main(["sweep", "--param", "yaw=0:1:2", "--models", TINY,
                       "--ray", "127.0.0.1:1", "--out", str(tmp_path / "o")])
    assert status == 2 and "no Ray cluster answers" in capsys.readouterr().err


def sweep_args(out, *extra):
    return ("sweep", "--param", "yaw=-60:60:4", "--object", "sphere_box", "--models", TINY,
            "--batch", "2", "--chunk", "2", "--backend", "inprocess", "--out", str(out), *extra)


def test_a_killed_sweep_keeps_its_points_and_resume_computes_only_the_rest(tmp_path):
    out = tmp_path / "o"
    first = perturber(*sweep_args(out), timeout=300)
    assert first.returncode == 0, first.stderr
    whole = (out / "sweep.csv").read_text()
    journal = (out / "sweep.points.jsonl").read_text().splitlines(keepends=True)
    assert len(journal) == 1 + 4  # header + one line per point, written as they finished
    # as if killed after the first chunk, in the middle of writing the next line
    (out / "sweep.points.jsonl").write_text("".join(journal[:3]) + journal[3][:40])
    (out / "sweep.csv").write_text(whole.splitlines(keepends=True)[0])
    again = perturber(*sweep_args(out), timeout=300)
    assert again.returncode == 2 and "--resume continues it" in again.stderr  # never silently
    resumed = perturber(*sweep_args(out, "--resume", "--json"), timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming: 2 of 4 points already done" in resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["resumed_points"] == 2 and summary["points"] == 4
    assert (out / "sweep.csv").read_text() == whole


def test_resume_refuses_another_sweeps_journal(tmp_path):
    out = tmp_path / "o"
    assert perturber(*sweep_args(out), timeout=300).returncode == 0
    other = list(sweep_args(out, "--resume"))
    other[other.index("yaw=-60:60:4")] = "yaw=-60:60:5"
    refused = perturber(*other, timeout=300)
    assert refused.returncode == 2 and "written by a different sweep" in refused.stderr


def test_streamed_rows_come_before_the_end(tmp_path):
    from game.batch.sweep.grid import parse_axis
    from game.batch.sweep.job import PointResult, ProbeJob
    from game.batch.sweep.table import CsvStream

    job = ProbeJob(models=("m",), top=1)
    stream = CsvStream(tmp_path / "s.csv", [parse_axis("yaw=0:1:2")], job, [{"yaw": 0}, {"yaw": 1}])
    stream.append([PointResult(1, {"yaw": 1.0}, {"m": [{"index": 3, "label": "x", "prob": 0.5}]})])
    assert (tmp_path / "s.csv").read_text().splitlines() == [
        "index,yaw,m:top1_index,m:top1_label,m:top1_prob", "1,1,3,x,0.5"]  # flushed already
    stream.close()
