import pytest
import torch

from nets import registry
from nets.loading import ModelLoadError, load_checkpoint
from nets.models import variants
from nets.training.loop import save_weights


def test_variants_are_registered_as_mobilenet_v2():
    for name, training in (("mobilenet_v2_adv", "Adv. Trained"),
                           ("mobilenet_v2_stylized", "Stylized")):
        entry = registry.get(name)
        assert entry.arch == "mobilenet_v2" and entry.training == training


def test_checkpoints_saved_by_training_are_listed_and_load(tmp_path, monkeypatch, tiny):
    """A fake 'bundled' folder: final + iteration files -> checkpoints() 0, 1 (standard), N."""
    monkeypatch.setattr(variants, "WEIGHTS_DIR", tmp_path)
    monkeypatch.setenv("PERTURBER_WEIGHTS_DIR", str(tmp_path / "user"))
    model = tiny(0)
    name = "mobilenet_v2_adv"
    save_weights(model, tmp_path / f"{name}_iter50.safetensors")
    save_weights(model, tmp_path / f"{name}.safetensors")
    entry = registry.get(name)
    assert entry.checkpoints()[0] == 0 and 50 in entry.checkpoints()
    sd = load_checkpoint(entry.path(50))
    assert sd["classifier.weight"].dtype == torch.float16
    assert torch.allclose(sd["classifier.weight"].float(), model.net.classifier.weight, atol=1e-3)
    if registry.get("mobilenet_v2").available():
        assert entry.path(1) == registry.get("mobilenet_v2").path()


def test_no_final_file_means_not_available(tmp_path, monkeypatch):
    monkeypatch.setattr(variants, "WEIGHTS_DIR", tmp_path)
    assert variants.checkpoint_paths("mobilenet_v2_stylized") == {}


def test_pickled_checkpoints_are_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pth"
    torch.save({"model": Evil()}, path)
    with pytest.raises(ModelLoadError):
        load_checkpoint(path)
