"""Scene parameters change the rendered frame in the expected direction."""
import numpy as np
import pytest

from game.render.camera import orbit_pose


def object_mask(scene, render):
    """Pixels covered by the object: those that change when the background goes grey."""
    a = render()
    b = render(background_saturation=0.0, background_blur=1.0)
    return np.abs(a - b).max(-1) < 1e-6


def laplacian_energy(img, mask):
    lap = 4 * img[1:-1, 1:-1] - img[:-2, 1:-1] - img[2:, 1:-1] - img[1:-1, :-2] - img[1:-1, 2:]
    return float((lap ** 2).sum(-1)[mask[1:-1, 1:-1]].mean())


@pytest.fixture
def masks(scene, render):
    obj = object_mask(scene, render)
    # Shrink both regions by 2 px so edges (anti-aliasing, blur spill) don't count.
    from scipy.ndimage import binary_erosion

    return binary_erosion(obj, iterations=2), binary_erosion(~obj, iterations=2)


def test_object_is_in_the_middle_and_covers_a_sensible_share(masks):
    obj, bg = masks
    assert 0.1 < obj.mean() < 0.7
    ys, xs = np.nonzero(obj)
    assert abs(xs.mean() - 112) < 20 and abs(ys.mean() - 112) < 20


def test_texture_influence_zero_makes_the_object_uniform_up_to_shading(render, masks):
    obj, _ = masks
    textured = render()[obj]
    white = render(texture_influence=0.0)[obj]
    chroma = lambda px: (px.max(-1) - px.min(-1)).mean()
    assert chroma(textured) > 0.3 and chroma(white) < 0.08
    flat = render(texture_influence=0.0, lighting_influence=0.0)[obj]
    assert np.abs(flat - 1.0).max() <= 1 / 255  # solid white, uniform shading 1.0


def test_lighting_influence_zero_removes_shading_variation(render, masks):
    obj, _ = masks
    lit = render(texture_influence=0.0)[obj].mean(-1)
    unlit = render(texture_influence=0.0, lighting_influence=0.0)[obj].mean(-1)
    assert lit.std() > 0.05 and unlit.std() < 1e-3


def test_background_blur_reduces_background_high_frequencies(render, masks):
    _, bg = masks
    energies = [laplacian_energy(render(background_blur=b), bg) for b in (0.0, 0.3, 0.6, 1.0)]
    assert energies == sorted(energies, reverse=True)
    assert energies[-1] < 1e-6 < energies[0]


def test_background_saturation_zero_greys_only_the_background(render, masks):
    obj, bg = masks
    out = render(background_saturation=0.0)
    assert np.abs(out[..., 0] - out[..., 2])[bg].max() <= 1 / 255
    assert np.abs(out[..., 0] - out[..., 2])[obj].mean() > 0.1


def test_texture_blur_at_max_is_a_solid_colour(render, masks):
    obj, _ = masks
    chroma = lambda px: (px.max(-1) - px.min(-1))
    sharp = render(lighting_influence=0.0)[obj]
    solid = render(lighting_influence=0.0, texture_blur=1.0)[obj]
    assert sharp.std(0).mean() > 0.1 and solid.std(0).max() < 2 / 255
    assert chroma(solid).mean() > 0.05  # the average of the checker colours, not grey


def test_shape_and_texture_morph_are_independent(render, masks):
    obj, _ = masks
    base = render()
    shape = render(shape_morph=1.0)
    tex = render(texture_morph=1.0)
    assert (np.abs(shape - base).max(-1) > 0.1).mean() > 0.05
    # The texture morph keeps the silhouette: changes stay inside the object.
    changed = np.abs(tex - base).max(-1) > 0.02
    assert changed[obj].mean() > 0.5 and changed[~obj].mean() < 0.02
    both = render(overall_morph=1.0)
    assert np.array_equal(both, render(shape_morph=1.0, texture_morph=1.0))


def test_camera_parameters_move_the_view(render):
    base = render()
    for change in ({"yaw": 30.0}, {"pitch": 20.0}, {"roll": 15.0}, {"distance": 4.0},
                   {"pan_x": 0.2}, {"pan_y": 0.2}):
        assert np.abs(render(**change) - base).mean() > 0.01, change


@pytest.mark.parametrize("yaw,pitch,roll", [(0, 0, 0), (-45, -12, 0), (120, 60, 30), (-170, -80, -90)])
def test_orbit_keeps_the_target_centred_at_the_given_distance(yaw, pitch, roll):
    from panda3d.core import LQuaternionf, Vec3

    values = dict(yaw=yaw, pitch=pitch, roll=roll, distance=2.5, pan_x=0, pan_y=0)
    pos, hpr = orbit_pose(values)
    q = LQuaternionf()
    q.setHpr(Vec3(*hpr))
    to_origin = -Vec3(*pos)
    assert abs(to_origin.length() - 2.5) < 1e-5
    assert (to_origin.normalized() - q.getForward()).length() < 1e-5


def test_yaw_zero_is_a_side_view_with_the_front_to_the_right():
    pos, hpr = orbit_pose(dict(yaw=0, pitch=0, roll=0, distance=3, pan_x=0, pan_y=0))
    assert np.allclose(pos, (0, -3, 0), atol=1e-6)
    front = orbit_pose(dict(yaw=-90, pitch=0, roll=0, distance=3, pan_x=0, pan_y=0))[0]
    assert np.allclose(front, (3, 0, 0), atol=1e-5)  # the camera sits in front (+x)


def test_feat_vis_plane_replaces_the_object_and_back(scene, render, tmp_path):
    from PIL import Image

    params, pipeline, controller = scene
    img = np.zeros((64, 64, 3), np.uint8)
    img[:32] = (255, 0, 0)   # red top half
    img[32:] = (0, 0, 255)   # blue bottom half
    Image.fromarray(img).save(tmp_path / "fv.png")
    plain = render()
    shown = render(yaw=0.0, pitch=0.0, lighting_influence=0.0, feat_vis=str(tmp_path / "fv.png"))
    assert pipeline.scene.pair.name == "fv"
    centre_top, centre_bottom = shown[90, 112], shown[134, 112]
    assert centre_top[0] > 0.9 and centre_top[2] < 0.1      # upright: red above...
    assert centre_bottom[2] > 0.9 and centre_bottom[0] < 0.1  # ...blue below
    params.set("feat_vis", "mixed4a:222")  # not an image: reported, plane kept
    assert params["feat_vis"] == str(tmp_path / "fv.png")
    params.set("feat_vis", "")
    assert pipeline.scene.pair is controller.object_pair
    assert np.array_equal(render(), plain)


# -- <layer>:<channel> on the Feat. Vis. plane ---------------------------------------------------
@pytest.fixture
def featvis(scene, tmp_path):
    """The scene's controller resolving <layer>:<channel> through a service on tiny models
    (Model 1's block13 has 3 colour channels, see featvis_fakes), with its own cache."""
    from game.tools.featvis.service import FeatureVisService
    from nets.featvis import FeatureVisCache

    from tests.game.featvis_fakes import fake_slots

    params, _, controller = scene
    errors = []
    service = FeatureVisService(fake_slots(), FeatureVisCache(tmp_path / "featvis"),
                                size=16, steps=48, naive=lambda: True, process=False)
    controller.set_feature_source(service.spec_image)
    on_error, controller.on_error = controller.on_error, errors.append
    service.reported = errors
    yield service
    params.set("feat_vis", "")
    controller.on_error = on_error
    controller.set_feature_source(None)
    service.destroy()


def plane_colours(render, **values):
    shown = render(yaw=0.0, pitch=0.0, lighting_influence=0.0, **values)
    return shown[90, 112], shown[134, 112], shown  # above and below the centre


def test_feat_vis_layer_channel_puts_the_cached_image_on_the_plane(scene, render, featvis):
    from tests.game.featvis_fakes import two_colour_image

    _, pipeline, controller = scene
    featvis.cache.put(featvis.spec_key("block13:2"), two_colour_image())
    top, bottom, _ = plane_colours(render, feat_vis="block13:2")
    assert pipeline.scene.pair.name == "block13:2" and controller.feature_pending == ""
    assert top[0] > 0.9 and top[2] < 0.1          # the cached picture, upright
    assert bottom[2] > 0.9 and bottom[0] < 0.1
    assert featvis._thread is None                # nothing was made


def test_an_uncached_spec_is_requested_and_shown_when_ready(scene, render, featvis):
    from game.render.assets import is_placeholder

    params, pipeline, controller = scene
    top, bottom, _ = plane_colours(render, feat_vis="block13:0")
    assert is_placeholder(pipeline.scene.pair) and controller.feature_pending == "block13:0"
    assert abs(top[0] - top[2]) < 0.05            # grey placeholder while it is made
    assert featvis.channel_status("mobilenet_v2", 0, "block13", 0).busy
    assert featvis.wait(30)
    controller.refresh_feature_plane()            # what the app's featvis tool does then
    assert not is_placeholder(pipeline.scene.pair) and controller.feature_pending == ""
    assert params["feat_vis"] == "block13:0"
    shown = pipeline.render_now().image.astype(float) / 255
    centre = shown[100:124, 100:124].reshape(-1, 3).mean(0)
    assert centre[0] > centre[2] + 0.3            # channel 0 is red - blue: a red picture


def test_bad_specs_are_reported_and_the_plane_kept(scene, render, featvis, tmp_path):
    from PIL import Image

    from tests.game.featvis_fakes import two_colour_image

    params, pipeline, _ = scene
    Image.fromarray(two_colour_image()).save(tmp_path / "fv.png")
    render(feat_vis=str(tmp_path / "fv.png"))
    for spec, message in (("mixed4a:222", "unknown layer 'mixed4a'"),
                          ("block13:7", "block13 of Model 1 has 3 channels (0..2)")):
        params.set("feat_vis", spec)
        assert message in featvis.reported[-1] and spec in featvis.reported[-1]
        assert params["feat_vis"] == str(tmp_path / "fv.png") and pipeline.scene.pair.name == "fv"


def test_a_spec_given_before_the_models_waits_for_them(scene, featvis):
    params, pipeline, controller = scene
    featvis.cache.put(featvis.spec_key("block13:1"), np.full((8, 8, 3), 0.5, np.float32))
    controller.set_feature_source(None)
    params.set("feat_vis", "block13:1")          # no models yet (a headless render)
    assert "needs the app's models" in featvis.reported[-1] and params["feat_vis"] == ""
    controller._deferred = "block13:1"             # as at start-up with feat_vis set
    params._discrete["feat_vis"] = "block13:1"
    controller.set_feature_source(featvis.spec_image)
    assert controller.loaded["feat_vis"] == "block13:1" and pipeline.scene.pair.name == "block13:1"
