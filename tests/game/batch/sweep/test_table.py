"""The sweep CSV: header, one row per point, fixed number formatting."""
import csv
import io

from game.batch.sweep.grid import Axis
from game.batch.sweep.job import ProbeJob
from game.batch.sweep.table import csv_text, num, write_csv
from tests.game.batch.sweep.fakes import SPEC, grid_2x3, result


def test_numbers_have_six_significant_digits():
    assert num(0.123456789) == "0.123457"
    assert num(1234567.0) == "1.23457e+06"
    assert num(-0.0) == "0" and num(2.0) == "2"
    assert num(-128.57142857142858, 10) == "-128.5714286"


def test_header_and_rows_exactly():
    axes, results, job = grid_2x3()
    text = csv_text(list(reversed(results)), axes, job)   # any order in, index order out
    lines = text.splitlines()
    assert lines[0] == ("index,yaw,hue,"
                        "conv:top1_index,conv:top1_label,conv:top1_prob,"
                        "conv:top2_index,conv:top2_label,conv:top2_prob,conv:c0:ch3,conv:c0:ch5")
    assert lines[1] == "0,-10,0,0,class 0,0.25,1,class 1,0.75,2,-2"
    assert lines[5] == "4,10,0.1,0,class 0,0.65,1,class 1,0.35,-4,4"
    assert len(lines) == 7 and text.endswith("\n") and "\r" not in text


def test_object_and_background_columns_when_points_set_them(tmp_path):
    axes = [Axis("yaw", 0, 10, 2)]
    results = [result(0, {"yaw": 0.0, "object": "dog_cat"}, 3, 0.5),
               result(1, {"yaw": 10.0, "object": "truck_car, red"}, 4, 0.125)]
    job = ProbeJob(models=(SPEC,), top=1)
    path = write_csv(tmp_path / "s.csv", results, axes, job)
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == ["index", "yaw", "object", "conv:top1_index", "conv:top1_label",
                       "conv:top1_prob"]
    assert rows[2] == ["1", "10", "truck_car, red", "4", "class 4", "0.125"]


def test_missing_models_and_ranks_leave_empty_cells():
    axes = [Axis("yaw", 0, 10, 2)]
    job = ProbeJob(models=(SPEC, "mobilenet_v2"), top=3)
    line = csv_text([result(0, {"yaw": 0.0}, 1, 0.5)], axes, job).splitlines()[1]
    assert line == "0,0,1,class 1,0.5,2,class 2,0.5,,,," + ",,,,,,,,"
