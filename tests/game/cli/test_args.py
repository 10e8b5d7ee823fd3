"""The options several subcommands share."""
import argparse

import pytest

from game.cli import args
from game.core.params import ParamError


def test_size_is_w_x_h_within_bounds():
    assert args.parse_size("1280x800") == (1280, 800) and args.parse_size("320X240") == (320, 240)
    for bad, message in (("1280", "WxH"), ("axb", "WxH"), ("100x100", "outside")):
        with pytest.raises(ParamError, match=message):
            args.parse_size(bad)


def test_models_are_registry_names_with_an_optional_checkpoint():
    assert args.parse_models(" mobilenet_v2, efficientnet_lite0 ,") == [
        ("mobilenet_v2", 0), ("efficientnet_lite0", 0)]
    for bad, message in (("", "empty"), ("nope", "unknown model 'nope'"),
                         ("mobilenet_v2@x", "iteration number")):
        with pytest.raises(ParamError, match=message):
            args.parse_models(bad)


def test_scene_options_are_checked_before_anything_renders():
    parser = argparse.ArgumentParser()
    args.add_scene_options(parser)
    ok = parser.parse_args(["--set", "hue=0.25", "--object", "truck_car"])
    assert args.scene_assignments(ok) == [("hue", "0.25")]
    assert args.initial_params(ok)["object"] == "truck_car"
    with pytest.raises(ParamError, match="out of range"):
        args.scene_assignments(parser.parse_args(["--set", "hue=2"]))
