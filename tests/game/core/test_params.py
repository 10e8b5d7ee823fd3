import pytest

from game.core.params import (BY_NAME, DISCRETE, GROUP_LABELS, PARAMS, SCENE_DISCRETE, SCENE_GROUPS,
                         SCENE_NAMES, ParamError, ParamState, params_in, parse_assignment)

REQUIRED = {
    "scene": ["background_blur", "background_saturation", "texture_influence", "texture_blur",
              "lighting_influence"],
    "morph": ["overall_morph", "shape_morph", "texture_morph"],
    "post": ["alpha", "hue", "saturation", "custom", "patch_shuffle"],
    "frequency": ["freq_cutoff", "low_alpha", "high_alpha", "low_sigma", "high_sigma",
                  "low_hue", "high_hue"],
    "camera": ["yaw", "pitch", "roll", "distance", "pan_x", "pan_y"],
    "activations": ["n_neurons", "act_normalization", "show_activations", "naive_param",
                    "same_channels"],
    "models": ["model1_enabled", "model2_enabled", "edited_enabled", "show_predictions",
               "model1_checkpoint", "model2_checkpoint", "show_sensitivity", "show_logits"],
    "attack": ["attack_eps", "attack_alpha", "original_alpha", "attack_gain"],
}


def test_every_named_parameter_exists_in_its_group():
    for group, names in REQUIRED.items():
        assert [p.name for p in params_in(group)] == names
    assert set(DISCRETE) == {"object", "background", "feat_vis", "model1", "model2", "layer",
                             "neuron_group", "channels", "inference_mode", "attack_model", "attack_norm",
                             "attack_target", "edit_mode", "edit_weights"}
    assert set(p.group for p in PARAMS) <= set(GROUP_LABELS)


def test_only_scene_parameters_change_the_frame():
    assert all((p.name in SCENE_NAMES) == (p.group in SCENE_GROUPS) for p in PARAMS)
    assert [n for n in DISCRETE if n in SCENE_NAMES] == list(SCENE_DISCRETE)
    assert "model1" not in SCENE_NAMES and "act_normalization" not in SCENE_NAMES


def test_flags_and_choices():
    state = ParamState()
    assert BY_NAME["show_activations"].flag and state.flag("model1_enabled")
    state.set("model2_enabled", 0)
    assert not state.flag("model2_enabled")
    with pytest.raises(ParamError, match="out of range"):
        state.set("edited_enabled", 2)
    with pytest.raises(ParamError, match="choose one of sync, worker"):
        state.set("inference_mode", "fast")
    with pytest.raises(ParamError, match="choose one of"):
        state.update({"inference_mode": "threads", "hue": 0.1})
    assert state["hue"] == 0.0  # nothing applied
    state.set("inference_mode", "worker")
    assert state["inference_mode"] == "worker"


def test_reset_without_group_leaves_the_model_slots_alone():
    state = ParamState()
    state.update({"hue": 0.2, "model2_enabled": 0, "n_neurons": 7})
    state.reset()
    assert state["hue"] == 0.0 and state["model2_enabled"] == 0 and state["n_neurons"] == 7
    state.reset("activations")
    assert state["n_neurons"] == 4


def test_defaults_lie_in_range_and_labels_exist():
    for p in PARAMS:
        assert p.min <= p.default <= p.max, p.name
        assert p.min < p.max and p.label
    assert BY_NAME["hue"].min == -0.5 and BY_NAME["hue"].max == 0.5
    assert BY_NAME["patch_shuffle"].integer and BY_NAME["patch_shuffle"].default == 1


@pytest.mark.parametrize("name,value,fragment", [
    ("hue", 0.6, "out of range [-0.5, 0.5]"),
    ("alpha", -0.1, "out of range"),
    ("patch_shuffle", 2.5, "whole number"),
    ("patch_shuffle", 9, "out of range [1, 8]"),
    ("saturation", "abc", "not a number"),
    ("distance", float("nan"), "not a finite number"),
])
def test_out_of_range_values_are_rejected_with_a_clear_message(name, value, fragment):
    state = ParamState()
    before = state.snapshot()
    with pytest.raises(ParamError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        state.set(name, value)
    assert state.snapshot() == before


def test_unknown_names_suggest_close_ones():
    with pytest.raises(ParamError, match="did you mean saturation"):
        ParamState().set("saturaton", 0.5)


def test_update_validates_everything_before_applying_anything():
    state = ParamState()
    with pytest.raises(ParamError):
        state.update({"hue": 0.2, "alpha": 5})
    assert state["hue"] == 0.0


def test_listeners_hear_changes_once_and_version_counts_them():
    state = ParamState()
    heard = []
    state.watch_all(lambda n, v: heard.append((n, v)))
    v0 = state.version
    state.set("hue", 0.25)
    state.set("hue", 0.25)  # unchanged: silent
    assert heard == [("hue", 0.25)] and state.version == v0 + 1


def test_a_watcher_hears_only_its_names_until_it_stops():
    state = ParamState()
    heard = []
    stop = state.watch(("hue", "object"), lambda n, v: heard.append((n, v)))
    state.update({"hue": 0.1, "alpha": 0.5, "object": "car_truck", "layer": "block3"})
    assert heard == [("hue", 0.1), ("object", "car_truck")]
    stop()
    state.set("hue", 0.2)
    assert heard == [("hue", 0.1), ("object", "car_truck")]


def test_a_linked_change_reaches_each_name_s_watchers():
    state = ParamState()
    heard = []
    state.watch("texture_morph", lambda n, v: heard.append((n, v)))
    state.set("overall_morph", 0.4)
    assert heard == [("texture_morph", 0.4)]


def test_watchers_of_a_name_hear_it_before_the_whole_model_listeners():
    state = ParamState()
    heard = []
    state.watch_all(lambda n, v: heard.append("all"))
    state.watch("hue", lambda n, v: heard.append("hue"))
    state.set("hue", 0.1)
    assert heard == ["hue", "all"]


def test_watching_an_unknown_name_is_an_error():
    with pytest.raises(ParamError, match="did you mean hue"):
        ParamState().watch("hues", lambda n, v: None)


def test_a_blocked_listener_misses_only_the_changes_inside_the_block():
    state = ParamState()
    mine, others = [], []

    def me(n, v):
        mine.append(v)

    state.watch("hue", me)
    state.watch("hue", lambda n, v: others.append(v))
    state.watch_all(me)
    with state.blocking(me):
        state.set("hue", 0.1)  # e.g. a slider setting the value it shows
    state.set("hue", 0.2)
    assert mine == [0.2, 0.2] and others == [0.1, 0.2]


def test_overall_morph_moves_shape_and_texture_together():
    state = ParamState()
    state.set("overall_morph", 0.7)
    assert state["shape_morph"] == state["texture_morph"] == 0.7
    state.set("shape_morph", 0.1)  # individual control afterwards
    assert state["shape_morph"] == 0.1 and state["texture_morph"] == 0.7


def test_discrete_parameters_and_reset():
    state = ParamState()
    state.set("object", "truck_car")
    state.set("yaw", 10)
    state.reset()
    assert state["yaw"] == BY_NAME["yaw"].default and state["object"] == "truck_car"
    with pytest.raises(ParamError):
        state.set("background", "")


def test_parse_assignment():
    assert parse_assignment(" hue = 0.25 ") == ("hue", "0.25")
    with pytest.raises(ParamError, match="NAME=VALUE"):
        parse_assignment("hue")


def test_typed_channels_are_checked_when_set():
    state = ParamState()
    state.set("channels", " 8, 48 24 ")
    assert state["channels"] == "8, 48 24"
    state.set("channels", "")  # back to the neuron group's channels
    for bad, fragment in (("8,x", "not a whole number"), ("3,3", "listed twice"),
                          ("1,2,3,4,5,6,7,8,9", "at most 8 channels")):
        with pytest.raises(ParamError, match=fragment):
            state.set("channels", bad)
    with pytest.raises(ParamError, match="listed twice"):
        state.update({"hue": 0.1, "channels": "2 2"})
    assert state["channels"] == "" and state["hue"] == 0.0


def test_a_listener_that_changes_the_value_back_ends_the_older_news():
    """A slot whose load fails puts the model it still holds back: every listener ends
    up hearing that one, and nobody hears the failed one after it."""
    state = ParamState()
    heard, everything = [], []

    def go_back(_n, v):
        if v == "resnet50":
            state.set("model2", "efficientnet_lite0")

    state.watch("model2", go_back)
    state.watch("model2", lambda n, v: heard.append(v))
    state.watch_all(lambda n, v: everything.append(v))
    state.set("model2", "resnet50")
    assert heard == ["efficientnet_lite0"] and everything == ["efficientnet_lite0"]
    assert state["model2"] == "efficientnet_lite0"
    state.set("model2", "mobilenet_v2")
    assert heard[-1] == everything[-1] == "mobilenet_v2"


def test_an_update_is_applied_whole_before_anyone_hears_of_it():
    """A model slot hears its model change with the checkpoint that came with it."""
    state = ParamState()
    state.update({"model2": "mobilenet_v2_adv", "model2_checkpoint": 31})
    seen = []
    state.watch(("model2", "model2_checkpoint"),
                lambda n, v: seen.append((n, v, state["model2"], state["model2_checkpoint"])))
    state.update({"model2": "efficientnet_lite0", "model2_checkpoint": 0})
    assert seen == [("model2", "efficientnet_lite0", "efficientnet_lite0", 0),
                    ("model2_checkpoint", 0, "efficientnet_lite0", 0)]


def test_a_value_replaced_by_a_listener_before_it_was_told_is_never_told():
    """A slot that puts back both its model and checkpoint while hearing of the model:
    nobody hears the checkpoint that came with the failed model."""
    state = ParamState()
    heard = []

    def go_back(_n, v):
        if v == "resnet50":
            state.update({"model2": "efficientnet_lite0", "model2_checkpoint": 0})

    state.watch("model2", go_back)
    state.watch_all(lambda n, v: heard.append((n, v)))
    state.update({"model2": "resnet50", "model2_checkpoint": 7})
    assert state["model2"] == "efficientnet_lite0" and state["model2_checkpoint"] == 0
    assert heard == [("model2", "efficientnet_lite0"), ("model2_checkpoint", 0)]
