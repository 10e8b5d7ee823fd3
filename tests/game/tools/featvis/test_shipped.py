"""The shipped feature visualisations (``nets/featvis/shipped``, made by
``scripts/ship-featvis.sh``) cover what the app shows first: each model's top-5 classes
at both ends of the built-in objects, and the channels of the default layer's neuron groups.

Both are derived here the way the app derives them (renders of this checkout, the
models' own predictions and groups), so a change to the scenes or the models that moves
them shows up as a missing picture."""
import pytest
import torch

from game.core.params import BY_NAME, DISCRETE, ParamState
from game.tools.featvis import groups as ng
from game.tools.featvis.service import SIZE, STEPS
from models3d.catalog import OBJECT_NAMES
from nets import registry
from nets.featvis import CacheKey, FeatureVisCache
from nets.featvis.cache import SHIPPED
from nets.groups import CLASS_SETS, class_groups

DEFAULT_MODELS = (DISCRETE["model1"], DISCRETE["model2"])
CLASS_PICTURES = {**{name: OBJECT_NAMES for name in DEFAULT_MODELS},  # model -> objects
                  "mobilenet_v2_adv": ("dog_cat",), "mobilenet_v2_stylized": ("dog_cat",)}
TOP = 5


def shipped(name: str, layer: str, channel: int) -> bool:
    key = CacheKey(f"{name}@{registry.get(name).weights_id()}", layer, channel, naive=False,
                   size=SIZE, steps=STEPS)
    return FeatureVisCache(SHIPPED, shipped=None).info(key) is not None


@pytest.fixture(scope="module")
def ends():
    """{(object, overall_morph): network input} for both ends of every built-in object,
    from its preferred camera on the default background (as the app first shows it)."""
    from game.render.headless import headless_pipeline

    params = ParamState()
    frames = {}
    with headless_pipeline(params) as (_base, pipeline, controller):
        for obj in OBJECT_NAMES:
            params.set("object", obj)
            controller.use_preferred_camera()
            for morph in (0.0, 1.0):
                params.set("overall_morph", morph)
                frames[obj, morph] = torch.from_numpy(pipeline.render_now().as_float())[None]
    return frames


@pytest.mark.parametrize("name", CLASS_PICTURES)
def test_the_top_classes_at_both_ends_of_the_objects_have_shipped_pictures(name, ends):
    model = registry.get(name).load()
    missing = []
    for (obj, morph), x in ends.items():
        if obj not in CLASS_PICTURES[name]:
            continue
        with torch.no_grad():
            top = model(x).topk(TOP, dim=1).indices[0].tolist()
        missing += [(obj, morph, c) for c in top if not shipped(name, "logit", c)]
    assert not missing, f"{name}: no shipped class picture for (object, morph, class) {missing}"


@pytest.fixture(scope="module")
def group_renders(tmp_path_factory):
    """The neuron-group renders (``game.tools.featvis.groups``), made here: (N, 3, H, W) floats."""
    path = ng.render_group_images(tmp_path_factory.mktemp("groups") / "renders.npz")
    return {g: torch.from_numpy(a).permute(0, 3, 1, 2).float() / 255.0
            for g, a in ng.load_group_images(path).items()}


@pytest.mark.parametrize("name", DEFAULT_MODELS)
def test_the_default_neuron_groups_channels_have_shipped_pictures(name, group_renders):
    entry = registry.get(name)
    layer, shown = entry.default_layer, int(BY_NAME["n_neurons"].default)
    groups = class_groups(entry.load(), [layer], group_renders,
                          {g: CLASS_SETS[g] for g in group_renders}, k=ng.TOP_K)[layer]
    assert set(groups) == set(ng.GROUP_SCENES)
    missing = {g: [c for c in channels[:shown] if not shipped(name, layer, c)]
               for g, channels in groups.items()}
    assert not any(missing.values()), f"{name} {layer}: no shipped channel picture {missing}"
