"""Every post effect on the GPU against the numpy reference of the same formula.

Input: a frame captured from the real scene, fed to a second chain on the same GSG.
Tolerance: max abs error <= 2/255 (8-bit in/out, half-float in between), mean <= 0.5/255.
"""
import numpy as np
import pytest

from game.core.params import ParamState
from game.render.post.chain import PostChain
from game.render.post.custom import CustomEffect
from game.core.texconv import numpy_to_texture, texture_to_numpy
from tests.game.render.post import reference as ref

MAX_ERR = 2.0 / 255
MEAN_ERR = 0.5 / 255


@pytest.fixture(scope="module")
def captured(scene):
    params, pipeline, _ = scene
    params.reset()
    params.update(pipeline.scene.pair.camera)
    return pipeline.render_now().image


@pytest.fixture(scope="module")
def chain(scene, captured):
    _, pipeline, _ = scene
    c = PostChain(pipeline.host, numpy_to_texture(captured, "captured"), first_sort=-50)
    yield c
    c.destroy()


@pytest.fixture
def run(scene, chain):
    engine = scene[1].host.getEngine()

    def _run(**values):
        state = ParamState()
        state.update(values)
        chain.apply(state.values())
        engine.renderFrame()
        return texture_to_numpy(chain.output).astype(np.float64) / 255.0

    return _run


def assert_close(gpu, expected):
    expected = np.clip(expected, 0, 1)
    err = np.abs(gpu - expected)
    assert err.max() <= MAX_ERR, f"max error {err.max() * 255:.2f}/255"
    assert err.mean() <= MEAN_ERR, f"mean error {err.mean() * 255:.3f}/255"


def test_captured_frame_is_a_real_render(captured):
    assert captured.shape == (224, 224, 3) and captured.dtype == np.uint8
    assert captured.std() > 20  # object and background, not a blank


def test_defaults_are_the_identity(run, captured):
    assert_close(run(), captured / 255.0)


@pytest.mark.parametrize("a", [0.0, 0.35, 1.0])
def test_alpha(run, captured, a):
    assert_close(run(alpha=a), ref.alpha(captured / 255.0, a))


@pytest.mark.parametrize("shift", [0.5, -0.25, 0.1])
def test_hue_is_an_hsv_rotation(run, captured, shift):
    assert_close(run(hue=shift), ref.hue(captured / 255.0, shift))


def test_saturation_zero_gives_grey(run, captured):
    out = run(saturation=0.0)
    assert np.abs(out[..., 0] - out[..., 1]).max() <= 1 / 255
    assert np.abs(out[..., 1] - out[..., 2]).max() <= 1 / 255
    assert_close(out, ref.saturation(captured / 255.0, 0.0))


def test_saturation_half(run, captured):
    assert_close(run(saturation=0.5), ref.saturation(captured / 255.0, 0.5))


@pytest.mark.parametrize("value", [0.0, 0.5, 1.8])
def test_custom_default_snippet_is_contrast(run, captured, value):
    assert_close(run(custom=value), ref.contrast(captured / 255.0, value))


def test_broken_snippet_reports_the_compiler_message_and_keeps_the_old_shader(run, chain, captured):
    custom = chain.effect(CustomEffect)
    before = run(custom=1.5)
    error = custom.set_snippet("return color * undefined_thing;")
    assert error and "undefined_thing" in error
    assert np.array_equal(run(custom=1.5), before)
    assert "empty" in custom.set_snippet("   ")


def test_a_new_snippet_takes_effect(run, chain, captured):
    custom = chain.effect(CustomEffect)
    default = custom.snippet
    try:
        assert custom.set_snippet("return 1.0 - color * value;") is None
        assert_close(run(custom=1.0), 1.0 - captured / 255.0)
    finally:
        assert custom.set_snippet(default) is None


def test_patch_shuffle_k1_is_unchanged(run, captured):
    assert_close(run(patch_shuffle=1), captured / 255.0)


@pytest.mark.parametrize("k", [2, 4, 7, 8])
def test_patch_shuffle_is_a_permutation_of_cells(run, captured, k):
    out = run(patch_shuffle=k)
    x = captured / 255.0
    assert_close(out, ref.patch_shuffle(x, k))
    c = 224 // k
    cells = lambda img: sorted(img[r * c:(r + 1) * c, q * c:(q + 1) * c].tobytes()
                               for r in range(k) for q in range(k))
    assert cells((out * 255).round().astype(np.uint8)) == cells(captured)
    assert not np.array_equal(out, x)


def test_patch_shuffle_odd_k_matches_reference(run, captured):
    assert_close(run(patch_shuffle=3), ref.patch_shuffle(captured / 255.0, 3))


def test_low_plus_high_with_unit_alphas_reproduces_the_input(run, captured):
    for cutoff in (1.0, 4.0, 12.0):
        assert_close(run(freq_cutoff=cutoff), captured / 255.0)


@pytest.mark.parametrize("values", [
    dict(freq_cutoff=3.0, high_alpha=0.0),                  # low band only = the blur
    dict(freq_cutoff=3.0, low_alpha=0.0),                   # grey + high band
    dict(freq_cutoff=5.0, low_alpha=0.5, high_alpha=1.6),
    dict(freq_cutoff=2.0, low_sigma=3.0, high_sigma=1.5),
    dict(freq_cutoff=4.0, low_hue=0.3, high_hue=-0.2),
])
def test_frequency_decomposition_matches_reference(run, captured, values):
    assert_close(run(**values), ref.frequency(captured / 255.0, **values))


def test_low_alpha_zero_and_high_alpha_zero_is_uniform_grey(run):
    out = run(low_alpha=0.0, high_alpha=0.0)
    assert np.abs(out - 0.5).max() <= 1 / 255


def test_effects_at_their_identity_are_skipped_and_routed_around(run, chain, captured):
    run()
    assert chain.running == []  # defaults: no post pass does any work
    run(hue=0.2, patch_shuffle=2)
    assert [type(e).__name__ for e in chain.running] == ["Hue", "PatchShuffle"]
    assert_close(run(hue=0.2, patch_shuffle=2),
                 ref.patch_shuffle(ref.hue(captured / 255.0, 0.2), 2))


@pytest.mark.parametrize("snippet, why", [
    ('#pragma include "/etc/passwd"\nreturn color;', "preprocessor"),
    ('  #include "x.glsl"\nreturn color;', "preprocessor"),
    ("return color; }\nvoid main() { frag = vec4(1); ", "main"),
    ("return color; }\nvec3 other(vec3 c) { return c; ", "close custom_effect() early"),
    ("if (value > 1.0) { return color;", "unbalanced '{'"),
    ("return color; // " + "x" * 30_000, "characters long"),
])
def test_snippets_that_escape_the_function_or_read_files_are_refused(run, chain, snippet, why):
    custom = chain.effect(CustomEffect)
    before = run(custom=1.5)
    assert why in custom.set_snippet(snippet)
    assert np.array_equal(run(custom=1.5), before)


def test_braces_and_hashes_in_comments_do_not_count():
    from game.render.post.custom import check_snippet

    assert check_snippet("// } #include\n/* { main( */ return color;") is None
