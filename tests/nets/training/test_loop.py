import json

import numpy as np
import pytest
import torch

from nets.models.files import iteration_files
from nets.training import augment
from nets.training.loop import Pool, TrainConfig, kl_soft, sample_batch, train, trainable


def _pool(renders, swapped=False):
    photos = [augment.to_tensor(renders[0])]
    return Pool(renders, renders[::-1].copy() if swapped else None, photos=photos,
                textures=[augment.to_tensor(renders[1])])


def test_kl_soft_is_zero_for_equal_distributions():
    logits = torch.randn(4, 10)
    assert abs(float(kl_soft(torch.softmax(logits, 1), logits))) < 1e-6
    assert float(kl_soft(torch.softmax(logits, 1), -logits)) > 0.1


def test_sample_batch_shapes_for_both_variants(renders):
    rng = np.random.default_rng(0)
    for variant, swapped in (("adv", False), ("stylized", True)):
        cfg = TrainConfig(variant=variant, steps=1, batch=8, size=32)
        s_in, t_in = sample_batch(_pool(renders, swapped), cfg, rng)
        assert s_in.shape == t_in.shape == (8, 3, 32, 32)
        assert 0 <= float(s_in.min()) and float(s_in.max()) <= 1
        if variant == "adv":
            assert torch.equal(s_in, t_in)
        else:
            assert not torch.equal(s_in, t_in)


def test_trainable_freezes_prefixes_and_keeps_eval_mode(tiny):
    model = tiny(0)
    params = trainable(model, ("classifier",))
    assert not model.training
    assert all(p.requires_grad for p in model.net.features.parameters())
    assert not any(p.requires_grad for p in model.net.classifier.parameters())
    assert len(params) == 2


def _loss(student, teacher, x):
    with torch.no_grad():
        return float(kl_soft(torch.softmax(teacher(x), 1), student(x)))


def test_training_lowers_the_loss_and_keeps_frozen_params(tiny, renders, tmp_path):
    for variant in ("adv", "stylized"):
        teacher, student = tiny(0), tiny(1)
        frozen = student.net.classifier.weight.clone()
        x = augment.to_tensor(renders)
        before = _loss(student, teacher, x)
        cfg = TrainConfig(variant=variant, steps=40, batch=8, size=32, lr=3e-2, eps=0.1,
                          photo_fraction=0.0, checkpoints=(10, 25), balance_power=0.0,
                          log_every=100)
        pool = _pool(renders, swapped=variant == "stylized")
        record = train(student, teacher, pool, cfg, tmp_path, f"tiny_{variant}", log=lambda s: None)
        assert _loss(student, teacher, x) < before
        assert torch.equal(student.net.classifier.weight, frozen)
        assert record["steps"] == 40
        assert json.loads((tmp_path / f"tiny_{variant}.json").read_text())["steps"] == 40
        assert sorted(iteration_files(f"tiny_{variant}", tmp_path)) == [10, 25]


def test_minutes_budget_stops(tiny, renders, tmp_path):
    cfg = TrainConfig(variant="adv", minutes=0.0, batch=4, size=32, balance_power=0.0)
    record = train(tiny(1), tiny(0), _pool(renders), cfg, tmp_path, "t", log=lambda s: None)
    assert record["steps"] == 0 and (tmp_path / "t.safetensors").is_file()


def test_resumed_run_counts_iterations_on(tiny, renders, tmp_path):
    cfg = TrainConfig(variant="adv", steps=3, batch=4, size=32, balance_power=0.0,
                      checkpoints=(4,), photo_fraction=0.0, log_every=100)
    record = train(tiny(1), tiny(0), _pool(renders), cfg, tmp_path, "r", log=lambda s: None,
                   start_step=2, previous={"steps": 2})
    assert record["steps"] == 5 and record["previous"] == {"steps": 2}
    assert sorted(iteration_files("r", tmp_path)) == [4]


def test_model_card_names_what_it_is_not(tiny, renders, tmp_path):
    from nets.training.card import model_card

    cfg = TrainConfig(variant="adv", steps=1, batch=4, size=32, balance_power=0.0, log_every=100)
    record = train(tiny(1), tiny(0), _pool(renders), cfg, tmp_path, "c", log=lambda s: None)
    card = model_card(record, machine="test machine")
    assert "not** the thesis' model" in card and "not trained on ImageNet" in card
    assert "eps 0.5" in card and "test machine" in card


def test_devices_are_resolved_or_refused_clearly(monkeypatch):
    from nets.training.loop import resolve_device

    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("toaster")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without one
    assert resolve_device("auto").type == "cpu"
    with pytest.raises(ValueError, match="no CUDA GPU"):
        TrainConfig(steps=1, device="cuda")


def test_l2sp_adds_the_squared_distance_to_the_teacher(tiny):
    from nets.training.loop import anchors, early_blocks, l2sp_penalty, train_step

    teacher = tiny(0)
    x = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    losses = []
    for weight in (0.0, 0.5):
        student = tiny(0)
        with torch.no_grad():
            student.net.features[0].bias += 0.1          # 8 biases, each 0.1 away
        params = trainable(student, ("classifier",) + early_blocks(0))
        pairs = anchors(student, teacher)
        assert float(l2sp_penalty(pairs).detach()) == pytest.approx(8 * 0.01)
        cfg = TrainConfig(variant="stylized", steps=1, l2sp=weight, clean_weight=1.0)
        losses.append(train_step(student, teacher, torch.optim.SGD(params, lr=0.0), x, x, cfg, pairs))
    assert losses[1] - losses[0] == pytest.approx(0.5 * 8 * 0.01, rel=1e-4)


def test_l2sp_keeps_a_run_closer_to_the_teacher(tiny, renders, tmp_path):
    from nets.training.loop import anchors, l2sp_penalty

    distance = []
    for weight in (0.0, 10.0):
        teacher, student = tiny(0), tiny(0)
        cfg = TrainConfig(variant="adv", steps=15, batch=4, size=24, lr=3e-2, eps=0.1,
                          photo_fraction=0.0, balance_power=0.0, l2sp=weight, log_every=100)
        train(student, teacher, _pool(renders), cfg, tmp_path, f"l2sp{weight:g}", log=lambda s: None)
        trainable(student, cfg.freeze)
        distance.append(float(l2sp_penalty(anchors(student, teacher)).detach()))
    assert distance[1] < 0.5 * distance[0]


def test_early_blocks_are_frozen_by_prefix(tiny):
    from nets.training.loop import early_blocks

    assert early_blocks(2) == ("features.0.", "features.1.")
    model = tiny(0)
    trainable(model, early_blocks(1))
    assert not any(p.requires_grad for p in model.net.features[0].parameters())
    assert all(p.requires_grad for p in model.net.classifier.parameters())
