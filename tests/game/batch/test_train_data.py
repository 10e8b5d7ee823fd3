"""The training-data generator: real headless renders (EGL), tiny datasets."""
import numpy as np
import pytest

from game.batch import train_data


def test_random_dataset_shapes_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))
    data = train_data.cached("random", 3, 123)
    assert data["clean"].shape == data["swapped"].shape == (3, 224, 224, 3)
    assert data["clean"].dtype == np.uint8
    assert set(data["object"].tolist()) <= {0, 1} and data["morph"].shape == (3,)
    diffs = [np.abs(c.astype(int) - s).mean() for c, s in zip(data["clean"], data["swapped"])]
    assert min(diffs) > 0.5 and np.mean(diffs) > 3
    assert train_data.dataset_path("random", 3, 123).is_file()
    again = train_data.cached("random", 3, 123)   # read back, not re-rendered
    assert np.array_equal(again["clean"], data["clean"])


def test_training_and_heldout_seeds_differ():
    assert train_data.HELDOUT_SEED_BASE > 0
    a = train_data.plan_random(4, 0, 10, 3, 2, {o: {"distance": 4.0} for o in train_data.OBJECTS})
    b = train_data.plan_random(4, train_data.HELDOUT_SEED_BASE, 10, 3, 2,
                               {o: {"distance": 4.0} for o in train_data.OBJECTS})
    assert [s["values"]["yaw"] for s in a] != [s["values"]["yaw"] for s in b]
    assert all(s["values"]["shape_morph"] == s["values"]["texture_morph"] for s in a)


def test_swapped_pair_replaces_both_textures():
    from models3d import catalog

    pair = catalog.load_pair("dog_cat")
    red = np.zeros((64, 64, 3), np.uint8)
    red[..., 0] = 255
    swapped = train_data.swapped_pair(pair, red)
    assert swapped.texture_a.shape == pair.texture_a.shape
    assert np.array_equal(swapped.texture_a, swapped.texture_b)
    assert (swapped.texture_a[..., 0] == 255).all() and (swapped.texture_a[..., 1] == 0).all()
    assert pair.texture_a[..., 1].any()     # the original is untouched


@pytest.fixture(scope="module")
def dog_renders():
    """(clean, swapped to pure red) renders of the same dog view on the same background."""
    from game.render.headless import headless_pipeline
    from game.core.params import ParamState
    from models3d import catalog

    pair = catalog.load_pair("dog_cat")
    red = np.zeros((64, 64, 3), np.uint8)
    red[..., 0] = 255
    params = ParamState()
    with headless_pipeline(params) as (_base, pipeline, controller):
        controller.use_preferred_camera()
        pipeline.scene.set_pair(pair)
        clean = pipeline.render_now().image.copy()
        pipeline.scene.set_pair(train_data.swapped_pair(pair, red))
        swapped = pipeline.render_now().image.copy()
    return clean.astype(int), swapped.astype(int)


def test_texture_swap_changes_the_object_not_the_background(dog_renders):
    clean, swapped = dog_renders
    changed = np.abs(clean - swapped).sum(-1) > 30
    assert 0.02 < changed.mean() < 0.6                      # the object, not the whole frame
    assert not changed[:12, :12].any() and not changed[-12:, -12:].any()   # corners: background
    reddish = lambda img: (img[..., 0] > img[..., 1] + 60) & (img[..., 0] > img[..., 2] + 60)
    assert reddish(swapped)[changed].mean() > 0.6 and reddish(clean)[changed].mean() < 0.2


def test_cue_conflict_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))
    data = train_data.cached("cue_conflict", 4, 7)
    assert data["images"].shape == (4, 224, 224, 3)
    assert list(data["shape"]) == ["dog", "cat", "dog", "cat"]
    assert all(s != t for s, t in zip(data["shape"], data["texture"]))


def test_views_show_each_of_the_four_objects_from_every_yaw(tmp_path, monkeypatch):
    from nets.groups import CLASS_SETS

    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path))
    data = train_data.cached("views", 2, 7)
    assert data["images"].shape == (8, 224, 224, 3)
    assert list(data["object"]) == ["dog", "dog", "cat", "cat", "fire_truck", "fire_truck",
                                    "race_car", "race_car"]
    assert set(data["object"]) == set(CLASS_SETS)
    images = data["images"].astype(int)
    assert np.abs(images[0] - images[1]).mean() > 1     # another yaw, another picture
    assert np.abs(images[0] - images[2]).mean() > 1     # the dog is not the cat


def test_a_light_rig_relights_the_object_not_the_background():
    from game.batch.variety import light_rig
    from game.render.headless import headless_pipeline
    from game.core.params import ParamState
    from models3d import catalog

    dim = {"azimuth": 0.0, "elevation": 45.0, "key": 0.2, "warmth": 0.0, "fill": 0.05, "rim": 0.0,
           "ambient": 0.1}
    params = ParamState()
    with headless_pipeline(params) as (_base, pipeline, controller):
        controller.use_preferred_camera()
        pipeline.scene.set_pair(catalog.load_pair("dog_cat"))
        default = pipeline.render_now().image.astype(int)
        pipeline.scene.set_lights(*light_rig(dim))
        dimmed = pipeline.render_now().image.astype(int)
        pipeline.scene.set_pair(catalog.load_pair("truck_car"))   # a new object keeps the rig
        assert pipeline.scene.ambient == 0.1
    changed = np.abs(default - dimmed).sum(-1) > 30
    assert 0.02 < changed.mean() < 0.6
    assert dimmed[changed].mean() < default[changed].mean() - 30
    assert not changed[:12, :12].any() and not changed[-12:, -12:].any()
