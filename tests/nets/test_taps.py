import pytest
import torch

from nets.taps import hook_count, tap


def test_taps_return_declared_shapes(mobilenet):
    x = torch.rand(2, 3, 224, 224)
    names = [layer.name for layer in mobilenet.layers]
    with torch.inference_mode(), tap(mobilenet, names) as acts:
        mobilenet(x)
    assert set(acts) == set(names)
    for layer in mobilenet.layers:
        assert acts[layer.name].shape == (2, *layer.shape), layer.name


def test_hooks_never_leak(mobilenet):
    before = hook_count(mobilenet)
    x = torch.rand(1, 3, 224, 224)
    for _ in range(20):
        with torch.inference_mode(), tap(mobilenet, ["block4", "conv_last"]):
            assert hook_count(mobilenet) == before + 2
            mobilenet(x)
    assert hook_count(mobilenet) == before


def test_hooks_removed_after_exception(tiny):
    before = hook_count(tiny)
    for _ in range(5):
        with pytest.raises(ValueError):
            with tap(tiny, ["0", "1"]):
                tiny(torch.rand(1, 3, 8, 8))
                raise ValueError("boom")
    assert hook_count(tiny) == before


def test_unknown_layer_fails_before_hooking(tiny):
    before = hook_count(tiny)
    with pytest.raises(KeyError, match="nope"):
        with tap(tiny, ["0", "nope"]):
            pass
    assert hook_count(tiny) == before


def test_module_paths_and_exact_values(tiny):
    x = torch.rand(1, 3, 8, 8)
    with tap(tiny, ["0", "1"]) as acts:
        out = tiny(x)
    assert torch.equal(acts["0"], tiny[0](x))
    assert torch.equal(acts["1"], acts["0"].relu())
    assert out.shape == (1, 5)


def test_detach_false_keeps_the_graph(tiny):
    x = torch.rand(1, 3, 8, 8, requires_grad=True)
    with tap(tiny, ["1"], detach=False) as acts:
        tiny(x)
    acts["1"].sum().backward()
    assert x.grad is not None


def test_readable_names_and_module_paths_reach_the_same_layer(mobilenet):
    x = torch.rand(1, 3, 224, 224)
    with torch.inference_mode(), tap(mobilenet, ["block4", "net.features.4"]) as acts:
        mobilenet(x)
    assert torch.equal(acts["block4"], acts["net.features.4"])
