import json

import numpy as np
import pytest
import torch

from nets.models.files import iteration_files
from nets.training.batched import BatchedConfig, DevicePool, FullPrecision, main, train_batched
from nets.training.loop import kl_soft
from nets.training.pack import write_pack


def _groups(renders):
    return {"clean": list(renders), "swapped": list(renders[::-1]), "photos": [renders[0]],
            "textures": [renders[1]]}


def test_learning_rate_warms_up_then_decays_to_zero():
    cfg = BatchedConfig(lr=1.0, warmup=0.1)
    assert cfg.lr_at(0.05) == pytest.approx(0.5)
    assert cfg.lr_at(0.1) == pytest.approx(1.0)
    values = [cfg.lr_at(p) for p in np.linspace(0.1, 1.0, 20)]
    assert all(a >= b for a, b in zip(values, values[1:]))
    assert cfg.lr_at(1.0) == pytest.approx(0.0, abs=1e-12)


def test_pool_batches_for_both_variants(renders):
    cfg = BatchedConfig(batch=8, size=24, photo_fraction=0.25)
    adv = DevicePool(_groups(renders), torch.device("cpu"), "adv")
    assert len(adv.clean) == 2 * len(renders) and adv.swapped is None  # twins are more images
    s, t = adv.batch(cfg, torch.Generator().manual_seed(0))
    assert s.shape == t.shape == (8, 3, 24, 24) and torch.equal(s, t)
    sty = DevicePool(_groups(renders), torch.device("cpu"), "stylized")
    s, t = sty.batch(BatchedConfig(variant="stylized", batch=8, size=24),
                     torch.Generator().manual_seed(0))
    assert s.shape == t.shape and not torch.equal(s, t)


def test_full_precision_teacher_ignores_autocast(tiny):
    teacher = FullPrecision(tiny(0))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert teacher(torch.rand(2, 3, 16, 16)).dtype == torch.float32


def test_training_lowers_the_loss_and_writes_checkpoints(tiny, renders, tmp_path):
    x = torch.from_numpy(renders).permute(0, 3, 1, 2).float() / 255
    for variant in ("adv", "stylized"):
        teacher, student = tiny(0), tiny(1)
        frozen = student.net.classifier.weight.clone()
        with torch.no_grad():
            before = float(kl_soft(torch.softmax(teacher(x), 1), student(x)))
        cfg = BatchedConfig(variant=variant, seconds=600, max_steps=40, batch=8, size=32,
                            lr=3e-2, warmup=0.0, eps=0.1, photo_fraction=0.0, balance_power=0.5,
                            checkpoints=(1e-9,), device="cpu")
        pool = DevicePool(_groups(renders), torch.device("cpu"), variant)
        record = train_batched(student, teacher, pool, cfg, tmp_path, f"b_{variant}", log=lambda s: None)
        with torch.no_grad():
            after = float(kl_soft(torch.softmax(teacher(x), 1), student(x)))
        assert after < before
        assert torch.equal(student.net.classifier.weight, frozen)
        assert record["steps"] == 40 and record["recipe"] == "batched"
        assert len(iteration_files(f"b_{variant}", tmp_path)) == 1   # one mark, early on
        assert json.loads((tmp_path / f"b_{variant}.json").read_text())["images_seen"] == 320


def test_command_line_runs_from_a_pack(renders, tmp_path, monkeypatch):
    from nets.training import batched

    pack = write_pack(tmp_path / "p.npz", _groups(renders), {"seeds": [0]})
    weights = tmp_path / "teacher.pth"
    weights.write_bytes(b"unused")
    monkeypatch.setattr(batched, "load_standard",
                        lambda path: __import__("tests.nets.training.conftest", fromlist=["x"]).tiny_classifier(0))
    assert main(["--pack", str(pack), "--teacher", str(weights), "--variant", "stylized",
                 "--max-steps", "2", "--batch", "4", "--size", "16", "--checkpoints", "",
                 "--device", "cpu", "--out", str(tmp_path / "out"), "--name", "cli"]) == 0
    record = json.loads((tmp_path / "out" / "cli.json").read_text())
    assert record["steps"] == 2 and record["config"]["clean_weight"] == 0.5
    assert record["pack"]["seeds"] == [0]


def test_model_card_of_a_batched_run_says_how_it_was_made(tiny, renders, tmp_path):
    from nets.training.card import model_card

    cfg = BatchedConfig(variant="adv", seconds=600, max_steps=1, batch=4, size=16,
                        balance_power=0.0, device="cpu")
    pool = DevicePool(_groups(renders), torch.device("cpu"), "adv")
    card = model_card(train_batched(tiny(1), tiny(0), pool, cfg, tmp_path, "c", log=lambda s: None))
    assert "nets.training.batched" in card and "AdamW" in card and "consistent teaching" in card
    assert "CPU" in card and "not trained on ImageNet" in card


def test_attack_radius_ramps_up_from_zero():
    cfg = BatchedConfig(eps=0.5, eps_ramp=0.5)
    assert [cfg.eps_at(p) for p in (0.0, 0.25, 0.5, 0.9)] == [0.0, 0.25, 0.5, 0.5]
    assert BatchedConfig(eps=0.5, eps_ramp=0.0).eps_at(0.0) == 0.5


def test_command_line_resumes_the_newest_state_unless_fresh(renders, tmp_path, monkeypatch, capsys):
    from nets.training import batched

    pack = write_pack(tmp_path / "p.npz", _groups(renders), {"seeds": [0]})
    monkeypatch.setattr(batched, "load_standard",
                        lambda path: __import__("tests.nets.training.conftest", fromlist=["x"]).tiny_classifier(0))
    common = ["--pack", str(pack), "--teacher", str(pack), "--variant", "adv", "--steps", "4",
              "--batch", "4", "--size", "16", "--checkpoints", "", "--device", "cpu",
              "--out", str(tmp_path / "out"), "--name", "r"]
    assert main([*common, "--max-steps", "1"]) == 0
    assert main(common) == 0
    assert "resuming" in capsys.readouterr().out
    record = json.loads((tmp_path / "out" / "r.json").read_text())
    assert record["steps"] == 4 and record["start_step"] == 1 and record["budget_spent"]
    with pytest.raises(SystemExit) as exit_:
        main([*common, "--lr", "0.5"])
    assert exit_.value.code == 2 and "other settings (lr: state" in capsys.readouterr().err
    assert main([*common, "--lr", "0.5", "--fresh", "--max-steps", "1"]) == 0
    assert json.loads((tmp_path / "out" / "r.json").read_text())["start_step"] == 0


def test_model_card_of_a_step_budget_names_it(tiny, renders, tmp_path):
    from nets.training.card import model_card

    cfg = BatchedConfig(variant="adv", steps=2, batch=4, size=16, balance_power=0.0, device="cpu")
    pool = DevicePool(_groups(renders), torch.device("cpu"), "adv")
    assert "2-step budget" in model_card(train_batched(tiny(1), tiny(0), pool, cfg, tmp_path, "c",
                                                       log=lambda s: None))
