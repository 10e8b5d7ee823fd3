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


EVALUATION = variants.WEIGHTS_DIR.parent.parent / "docs" / "robust-variants-eval.json"
MEASURES = EVALUATION.with_name("robust-variants-measures.json")   # with the object views


@pytest.mark.parametrize("name", ["mobilenet_v2", *variants.VARIANTS])
def test_each_entry_states_its_measured_robustness(name):
    """The figure the menus and `perturber models` show is the one `evaluate` measured."""
    import json

    measured = json.loads(EVALUATION.read_text())["models"][name]
    robust = f"{100 * measured['renders']['l2_0.5']:.1f}".removesuffix(".0")
    text = registry.get(name).robustness
    assert text.startswith(f"{robust} % robust (L2 PGD 0.5)")
    bias = measured["shape_bias"]["shape_bias"]
    assert f"shape bias {bias:.2f}" in text or name == "mobilenet_v2_adv"


@pytest.mark.parametrize("name", list(variants.VARIANTS))
def test_bundled_model_cards_are_made_from_the_records_and_the_evaluation(name):
    import json

    from nets.training.card import model_card

    record = json.loads((variants.WEIGHTS_DIR / f"{name}.json").read_text())
    card = model_card(record, evaluation=json.loads(EVALUATION.read_text()),
                      measures=json.loads(MEASURES.read_text()))
    assert (variants.WEIGHTS_DIR / f"{name}.md").read_text() == card
    assert "## How robust it is (measured)" in card and "L2 PGD eps 0.5: **" in card
    assert "| objects: superclass accuracy, all four |" in card
