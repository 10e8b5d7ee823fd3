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


def test_a_weights_file_is_named_by_its_stem_or_an_alias(tmp_path):
    """ARCH=FILE takes the file's stem (+ _2 when that is another model's), ALIAS:ARCH=FILE
    the alias; the default name `train` writes works both ways."""
    from nets import registry

    path = tmp_path / "mobilenet_v2_adv.safetensors"
    path.write_bytes(b"")
    try:
        assert args.parse_models(f"mobilenet_v2_adv,mobilenet_v2={path},mine:mobilenet_v2={path}") \
            == [("mobilenet_v2_adv", 0), ("mobilenet_v2_adv_2", 0), ("mine", 0)]
        assert registry.get("mine").weights_path() == path.resolve()
        with pytest.raises(ParamError, match="already registered"):
            args.parse_models(f"mobilenet_v2_adv:mobilenet_v2={path}")
        for bad, message in ((f"a b:mobilenet_v2={path}", "the name before"),
                             (f"mine:toaster={path}", "unknown architecture")):
            with pytest.raises(ParamError, match=message):
                args.parse_models(bad)
    finally:
        registry.unregister("mobilenet_v2_adv_2")
        registry.unregister("mine")


def test_help_of_every_models_option_says_how_to_name_a_file(capsys):
    from game.cli.main import build_parser

    for command in ("predict", "evaluate"):
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "ARCH=FILE" in text and "ALIAS:ARCH=FILE" in text, command


def test_scene_options_are_checked_before_anything_renders():
    parser = argparse.ArgumentParser()
    args.add_scene_options(parser)
    ok = parser.parse_args(["--set", "hue=0.25", "--object", "truck_car"])
    assert args.scene_assignments(ok) == [("hue", "0.25")]
    assert args.initial_params(ok)["object"] == "truck_car"
    with pytest.raises(ParamError, match="out of range"):
        args.scene_assignments(parser.parse_args(["--set", "hue=2"]))


@pytest.mark.parametrize("argv, object_, sets", [
    (["--object", "truck_car", "predict"], "truck_car", []),
    (["predict", "--object", "truck_car"], "truck_car", []),
    (["--object", "dog_cat", "predict", "--object", "truck_car"], "truck_car", []),
    (["--set", "hue=0.1", "predict", "--set", "yaw=3"], None, ["hue=0.1", "yaw=3"]),
    (["--set", "hue=0.1", "render"], None, ["hue=0.1"]),
    (["sweep", "--set", "yaw=3", "--param", "hue=0:0.5:2", "--out", "o"], None, ["yaw=3"]),
])
def test_scene_options_before_and_after_the_subcommand_both_count(argv, object_, sets):
    from game.cli.main import build_parser

    parsed = build_parser().parse_args(argv)
    args.merge_scene_options(parsed)
    assert parsed.object == object_ and parsed.set == sets
    assert not hasattr(parsed, "set_after")


@pytest.mark.parametrize("assignment, fragment", [
    ("model1=nope", "model1=nope: unknown model"),
    ("model2=resnet5", "model2=resnet5: unknown model"),
    ("layer=nope", "layer=nope: mobilenet_v2 has no such layer"),
    ("attack_target=99999", "attack_target 99999 is not a class index"),
    ("attack_target=-1", "is not a class index"),
    ("edit_weights=block3=banana", "--set edit_weights"),
])
def test_set_values_that_name_nothing_are_refused(assignment, fragment):
    from types import SimpleNamespace

    from game.cli.args import scene_assignments
    from game.core.params import ParamError

    with pytest.raises(ParamError, match=fragment):
        scene_assignments(SimpleNamespace(set=[assignment]))


def test_set_values_that_exist_pass():
    from types import SimpleNamespace

    from game.cli.args import scene_assignments

    pairs = scene_assignments(SimpleNamespace(set=["model1=efficientnet_lite0", "layer=block11",
                                                   "attack_target=281", "edit_weights="]))
    assert ("layer", "block11") in pairs


def test_a_model_named_many_times_is_loaded_once():
    assert args.parse_models(",".join(["mobilenet_v2"] * 200)) == [("mobilenet_v2", 0)]
    assert args.parse_models("mobilenet_v2,efficientnet_lite0,mobilenet_v2") == [
        ("mobilenet_v2", 0), ("efficientnet_lite0", 0)]


def test_one_backend_option_for_the_app_and_the_commands_that_run_the_networks():
    from game.cli.main import build_parser
    from nets.backends import BACKENDS

    assert set(args.INFERENCE_BACKENDS) == set(BACKENDS)
    parse = build_parser().parse_args
    assert parse([]).inference == "auto" and parse(["--backend", "torch"]).inference == "torch"
    assert parse(["predict", "--backend", "onnx"]).inference == "onnx"
    assert parse(["--backend", "torch", "predict"]).inference == "torch"  # the global one stays
    assert parse(["bench", "--backend", "torch"]).inference == "torch"
    sweep = parse(["sweep", "--out", "d", "--backend", "local", "--net-backend", "onnx"])
    assert (sweep.backend, sweep.inference) == ("local", "onnx")  # --backend: where points run
    assert parse(["predict", "--backend", "openvino"]).inference == "openvino"
    with pytest.raises(SystemExit):
        parse(["predict", "--backend", "tensorrt"])
