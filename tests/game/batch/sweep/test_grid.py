"""Sweep axes and grids: parsing, values, order, and clear errors (no rendering)."""
import pytest

from game.core.params import ParamError
from game.batch.sweep.grid import Axis, grid_points, parse_axis


def test_parse_axis_and_its_values():
    a = parse_axis("yaw=-90:90:7")
    assert a == Axis("yaw", -90.0, 90.0, 7)
    assert a.values == [-90.0, -60.0, -30.0, 0.0, 30.0, 60.0, 90.0]
    assert str(a) == "yaw=-90:90:7"
    assert parse_axis(" hue = 0.25 ").values == [0.25]          # a single point
    assert parse_axis("hue=0.5:-0.5:3").values == [0.5, 0.0, -0.5]  # descending is fine


def test_integer_parameters_are_rounded():
    assert parse_axis("patch_shuffle=1:8:4").values == [1.0, 3.0, 6.0, 8.0]


def test_grid_order_last_axis_fastest():
    pts = grid_points([parse_axis("yaw=-10:10:3"), parse_axis("hue=0:0.2:2")])
    assert len(pts) == 6
    assert pts[0] == {"yaw": -10.0, "hue": 0.0} and pts[1] == {"yaw": -10.0, "hue": 0.2}
    assert pts[-1] == {"yaw": 10.0, "hue": 0.2}


@pytest.mark.parametrize("text, fragment", [
    ("colour=0:1:3", "not a continuous parameter"),
    ("hue=-1:1:3", "out of range"),
    ("yaw=-90:90:0", "steps"),
    ("yaw=-90:90:1001", "steps"),
    ("yaw=-90:90", "NAME=START:STOP:N"),
    ("yaw=a:b:3", "NAME=START:STOP:N"),
    ("yaw=-90:90:2.5", "whole number"),
    ("-90:90:3", "NAME=START:STOP:N"),
    ("patch_shuffle=1.5:8:3", "whole number"),
    ("n_neurons=1:8:3", "does not change the rendered frame"),
])
def test_bad_axes_give_param_error(text, fragment):
    with pytest.raises(ParamError, match=fragment):
        parse_axis(text)


def test_a_parameter_swept_twice_is_refused():
    with pytest.raises(ParamError, match="swept twice"):
        grid_points([parse_axis("yaw=0:1:2"), parse_axis("yaw=0:1:2")])
