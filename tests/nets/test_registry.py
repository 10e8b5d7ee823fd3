import pytest
import torch

from nets import registry
from nets.classifier import Classifier


def test_mobilenet_registered_and_available():
    assert "mobilenet_v2" in registry.names()
    assert registry.available("mobilenet_v2")
    assert registry.get("mobilenet_v2").weights_path().name == "mobilenet_v2-b0353104.pth"


def test_unknown_model():
    with pytest.raises(KeyError, match="known"):
        registry.get("no_such_net")


def test_duplicate_registration_refused():
    with pytest.raises(ValueError):
        registry.register(registry.get("mobilenet_v2"))


def test_missing_weights_give_a_clear_error(monkeypatch):
    entry = registry.ModelEntry("ghost", "Ghost", (), lambda: None, lambda p: None)
    assert not entry.available()
    with pytest.raises(FileNotFoundError, match="ghost"):
        entry.load()


def test_loaded_model_is_a_frozen_eval_classifier(mobilenet):
    assert isinstance(mobilenet, Classifier)
    assert not mobilenet.training
    assert not any(p.requires_grad for p in mobilenet.parameters())
