"""Scene varieties: the standard one keeps every plan as it was, wider ones draw from wider
ranges and more kinds, each recorded per scene."""
import dataclasses
import math

import numpy as np
import pytest

from game.batch import train_data
from game.batch.variety import BACKGROUND_KINDS, STANDARD, WIDE, Variety, light_rig

CAMERAS = {o: {"distance": 4.0} for o in train_data.OBJECTS}


def plan(n, seed, variety=STANDARD):
    return train_data.plan_random(n, seed, 40, len(variety.photo_names()), 16, CAMERAS, variety)


def test_the_standard_variety_keeps_its_dataset_names_and_plans():
    assert STANDARD.key() == "" and WIDE.key() != ""
    assert train_data.dataset_path("random", 3, 5, STANDARD) == train_data.dataset_path("random", 3, 5)
    assert train_data.dataset_path("random", 3, 5).name == f"random-v{train_data.DATA_VERSION}-n3-s5.npz"
    assert train_data.dataset_path("random", 3, 5, WIDE).name.endswith(f"-{WIDE.key()}.npz")
    assert plan(20, 10_000) == train_data.plan_random(20, 10_000, 40, 12, 16, CAMERAS)
    assert all(s["light"] is None for s in plan(20, 0))


def test_random_lighting_changes_nothing_but_the_lights():
    lit = dataclasses.replace(STANDARD, lighting="random")
    a, b = plan(30, 3), plan(30, 3, lit)
    assert [{k: v for k, v in s.items() if k != "light"} for s in a] == \
           [{k: v for k, v in s.items() if k != "light"} for s in b]
    assert len({s["light"]["azimuth"] for s in b}) == 30


def test_a_wide_plan_draws_from_its_ranges_and_every_background_kind():
    scenes = plan(300, 1, WIDE)
    pitch = [s["values"]["pitch"] for s in scenes]
    assert WIDE.pitch[0] <= min(pitch) < STANDARD.pitch[0] and STANDARD.pitch[1] < max(pitch) <= WIDE.pitch[1]
    distance = [s["values"]["distance"] / 4.0 for s in scenes]
    assert WIDE.distance[0] <= min(distance) < STANDARD.distance[0]
    assert {s["bg"][0] for s in scenes} == set(BACKGROUND_KINDS)
    table = train_data.scene_table(scenes, WIDE)
    assert len(table["light"]) == 300 and len(table["light"][0]) == len(table["light_fields"])
    assert any(b.startswith("photo:horse") for b in table["background"])   # beyond the standard 12


def test_background_weights_decide_the_kinds():
    only = dataclasses.replace(STANDARD, backgrounds=(("plain", 1.0), ("named", 0.0)))
    assert {s["bg"][0] for s in plan(40, 2, only)} == {"plain"}


@pytest.mark.parametrize("changes, message", [
    ({"pitch": (10.0, -10.0)}, "LO <= HI"),
    ({"pitch": (-95.0, 0.0)}, "pitch must lie"),
    ({"distance": (0.0, 1.0)}, "> 0"),
    ({"lighting": "dim"}, "fixed or random"),
    ({"photos": "heldout"}, "standard or all"),
    ({"backgrounds": (("sky", 1.0),)}, "sky"),
    ({"backgrounds": (("named", 0.0),)}, "weights"),
])
def test_nonsense_varieties_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(STANDARD, **changes)


def test_a_light_rig_points_its_key_light_where_its_values_say():
    light = {"azimuth": 90.0, "elevation": 30.0, "key": 1.0, "warmth": 0.2, "fill": 0.3,
             "rim": 0.1, "ambient": 0.25}
    (key, fill, rim), ambient = light_rig(light)
    direction, colour = key
    assert np.allclose(direction, (0.0, math.cos(math.radians(30)), 0.5), atol=1e-9)
    assert colour[0] > colour[1] > colour[2]          # warm key ...
    assert fill[1][0] < fill[1][2]                    # ... cool fill
    assert rim[1] == (0.1, 0.1, 0.1) and ambient == 0.25
    assert isinstance(Variety().describe()["backgrounds"], list)
