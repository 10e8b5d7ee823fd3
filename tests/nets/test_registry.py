import os
import time

import pytest
import torch

from nets import registry
from nets.classifier import Classifier, Layer
from nets.loading import ModelLoadError
from nets.models import files

from .models.weights_dirs import use_empty_dirs

LAYERS = (Layer("a", "0", 4, 8), Layer("b", "1", 4, 8), Layer("c", "2", 5, 1))


@pytest.fixture
def dirs(monkeypatch, tmp_path):
    return use_empty_dirs(monkeypatch, tmp_path)


@pytest.fixture
def user_entries():
    """Entries a test registers are forgotten afterwards."""
    before = set(registry.names())
    yield
    for name in set(registry.names()) - before:
        registry.unregister(name)


def fake_entry(name, final, **kw):
    """An entry whose build just returns the path it was given."""
    return registry.ModelEntry(name, name.title(), LAYERS, lambda: final, lambda p: p, **kw)


def test_mobilenet_registered_and_available():
    assert "mobilenet_v2" in registry.names()
    assert registry.available("mobilenet_v2")
    assert registry.get("mobilenet_v2").weights_path().name == "mobilenet_v2-b0353104.pth"


def test_bundled_models_first_then_those_a_user_may_have(dirs):
    names = registry.names()
    assert names[:2] == ["mobilenet_v2", "efficientnet_lite0"]
    for name in ("inceptionv1", "googlenet", "resnet18", "resnet50", "vgg16", "alexnet",
                 "densenet121", "mobilenet_v3_large", "efficientnet_b0", "resnet50_sin",
                 "resnet50_robust_l2_3"):
        assert name in names[2:]
    assert [e.name for e in registry.entries()] == names
    # the bundled ones: the two packaged ImageNet models and our own robust variants
    assert [n for n in names if registry.available(n)] == [
        "mobilenet_v2", "efficientnet_lite0", "mobilenet_v2_adv", "mobilenet_v2_stylized"]


def test_unknown_model():
    with pytest.raises(KeyError, match="known"):
        registry.get("no_such_net")


def test_duplicate_registration_refused():
    with pytest.raises(ValueError):
        registry.register(registry.get("mobilenet_v2"))


def test_missing_weights_give_a_clear_error(monkeypatch):
    entry = registry.ModelEntry("ghost", "Ghost", (), lambda: None, lambda p: None)
    assert not entry.available()
    assert entry.checkpoints() == []
    with pytest.raises(FileNotFoundError, match="ghost"):
        entry.load()
    with pytest.raises(FileNotFoundError, match="ghost"):
        entry.weights_id()


def test_loaded_model_is_a_frozen_eval_classifier(mobilenet):
    assert isinstance(mobilenet, Classifier)
    assert not mobilenet.training
    assert not any(p.requires_grad for p in mobilenet.parameters())


def test_entry_defaults():
    entry = fake_entry("tiny", None)
    assert (entry.arch, entry.training, entry.default_layer) == ("tiny", "Standard", "b")
    with pytest.raises(ValueError, match="default layer 'z'"):
        fake_entry("tiny", None, default_layer="z")


def test_checkpoints_final_and_iterations(dirs, tmp_path):
    user, _ = dirs
    final = tmp_path / "tiny.pth"
    entry = fake_entry("tiny", final)
    assert entry.checkpoints() == [] and not entry.available()
    for name in ("tiny_iter100.pth", "tiny_iter2000.safetensors", "tiny_iter0.pth",
                 "tinier_iter5.pth", "tiny_iterx.pth"):
        (user / name).write_bytes(b"w")
    assert entry.checkpoints() == [100, 2000] and entry.available()
    final.write_bytes(b"w")
    assert entry.checkpoints() == [0, 100, 2000]
    assert entry.load() == final
    assert entry.load(100) == user / "tiny_iter100.pth"
    with pytest.raises(ValueError, match=r"no checkpoint 50; available: \[0, 100, 2000\]"):
        entry.load(50)


def test_explicit_checkpoint_paths_replace_the_folder_scan(dirs, tmp_path):
    user, _ = dirs
    (user / "tiny_iter100.pth").write_bytes(b"w")
    extra = tmp_path / "step7.pth"
    extra.write_bytes(b"w")
    entry = fake_entry("tiny", None, checkpoint_paths=lambda: {7: extra, 9: tmp_path / "gone.pth"})
    assert entry.checkpoints() == [7]


def test_weights_id_is_a_cached_sha256_prefix(tmp_path):
    path = tmp_path / "w.pth"
    path.write_bytes(b"weights one")
    entry = fake_entry("tiny", path)
    first = entry.weights_id()
    assert len(first) == 12 and int(first, 16) >= 0
    hits = files._sha256.cache_info().hits
    assert entry.weights_id() == first
    assert files._sha256.cache_info().hits == hits + 1
    path.write_bytes(b"weights two, longer")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert entry.weights_id() != first


def corresponding(name, model, reference):
    return registry.corresponding_layer(name, registry.get(model).layers,
                                        registry.get(reference).layers)


def test_corresponding_layer_is_the_same_relative_depth_in_another_network():
    # MobileNetV2's block13 (96 x 14 x 14) sits at 13/18 = 0.72 of its 19 layers; Lite0's
    # block12 at 12/17 = 0.71 of its 18, its block13 at 0.76: equal names, other depths.
    assert corresponding("block13", "efficientnet_lite0", "mobilenet_v2") == "block12"
    assert corresponding("conv_first", "efficientnet_lite0", "mobilenet_v2") == "stem"
    assert corresponding("conv_last", "efficientnet_lite0", "mobilenet_v2") == "head"
    assert corresponding("block13", "inceptionv1", "mobilenet_v2") == "mixed4d"
    assert corresponding("inception4d", "inceptionv1", "googlenet") == "mixed4d"
    assert corresponding("mixed3a", "googlenet", "inceptionv1") == "inception3a"


def test_corresponding_layer_keeps_the_name_in_the_same_network():
    for name in ("conv_first", "block13", "conv_last"):
        assert corresponding(name, "mobilenet_v2_adv", "mobilenet_v2") == name
    two = (Layer("a0", "0", 4, 8), Layer("a1", "1", 4, 8))
    five = tuple(Layer(f"b{i}", str(i), 4, 8) for i in range(5))
    assert registry.corresponding_layer("a0", five, two) == "b0"
    assert registry.corresponding_layer("a1", five, two) == "b4"
    assert registry.corresponding_layer("a1", two, two) == "a1"
    assert registry.corresponding_layer("b3", five, two) == "b3"  # not Model 1's, but its own


def test_corresponding_layer_of_an_unknown_name_is_the_default_depth():
    assert corresponding("nope", "inceptionv1", "mobilenet_v2") == "mixed4d"   # 8 of 0..11
    assert registry.corresponding_layer("nope", registry.get("mobilenet_v2").layers) == "block13"
    assert registry.corresponding_layer("block13", ()) is None


def test_register_user_checkpoint(tmp_path, user_entries):
    path = tmp_path / "My Run-v2.pth"
    torch.save({}, path)
    entry = registry.register_user_checkpoint(path, "resnet18")
    assert entry.name == "my_run_v2" and entry.name in registry.names()
    assert (entry.arch, entry.training, entry.title) == ("resnet18", "Custom", "ResNet-18 · Custom")
    assert entry.default_layer == "layer3.1" and entry.checkpoints() == [0]
    assert registry.register_user_checkpoint(str(path), "resnet18") is entry
    other = tmp_path / "other.pth"
    torch.save({}, other)
    with pytest.raises(ValueError, match="already registered"):
        registry.register_user_checkpoint(other, "resnet18", name="my_run_v2")
    named = registry.register_user_checkpoint(other, "vgg16", name="mine", training="Stylized",
                                              checkpoints={500: path})
    assert named.title == "VGG-16 · Stylized" and named.checkpoints() == [0, 500]


def test_a_file_named_like_another_model_gets_a_suffix(tmp_path, user_entries):
    """The default name `train` writes (mobilenet_v2_adv) is the bundled variant's."""
    paths = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        paths.append(tmp_path / folder / "mobilenet_v2_adv.safetensors")
        torch.save({}, paths[-1])
    first = registry.register_user_checkpoint(paths[0], "mobilenet_v2")
    second = registry.register_user_checkpoint(paths[1], "mobilenet_v2")
    assert (first.name, second.name) == ("mobilenet_v2_adv_2", "mobilenet_v2_adv_3")
    assert registry.register_user_checkpoint(paths[1], "mobilenet_v2") is second
    assert registry.get("mobilenet_v2_adv").training == "Adv. Trained"  # the bundled one stays
    with pytest.raises(ValueError, match="already registered"):
        registry.register_user_checkpoint(paths[0], "mobilenet_v2", name="mobilenet_v2_adv")


def test_register_user_checkpoint_errors(tmp_path):
    with pytest.raises(ModelLoadError, match="no such file"):
        registry.register_user_checkpoint(tmp_path / "absent.pth", "resnet18")
    path = tmp_path / "w.pth"
    torch.save({}, path)
    with pytest.raises(KeyError, match="unknown architecture 'resnet9'.*resnet18"):
        registry.register_user_checkpoint(path, "resnet9")
