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


def _tiny_standard(monkeypatch):
    from nets.training import batched
    from tests.nets.training.conftest import tiny_classifier

    monkeypatch.setattr(batched, "load_standard", lambda path: tiny_classifier(0))


def _weights(model, path):
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in model.net.state_dict().items()}, str(path))
    return path


def _final(folder, name):
    from nets.loading import load_state_dict_file

    return load_state_dict_file(folder / f"{name}.safetensors")


def test_command_line_starts_from_init_weights_not_the_teachers(tiny, renders, tmp_path, monkeypatch,
                                                                 capsys):
    _tiny_standard(monkeypatch)
    pack = write_pack(tmp_path / "p.npz", _groups(renders), {"seeds": [0]})
    init = _weights(tiny(5), tmp_path / "adv.safetensors")
    common = ["--pack", str(pack), "--teacher", str(pack), "--variant", "adv", "--max-steps", "0",
              "--batch", "4", "--size", "16", "--checkpoints", "", "--device", "cpu"]
    assert main([*common, "--out", str(tmp_path / "a"), "--name", "i", "--init", str(init)]) == 0
    assert "starting from" in capsys.readouterr().out
    assert main([*common, "--out", str(tmp_path / "b"), "--name", "t"]) == 0
    started, standard = _final(tmp_path / "a", "i"), _final(tmp_path / "b", "t")
    for key, value in tiny(5).net.state_dict().items():
        assert torch.allclose(started[key].float(), value, atol=1e-2)
        assert torch.allclose(standard[key].float(), tiny(0).net.state_dict()[key], atol=1e-2)
    record = json.loads((tmp_path / "a" / "i.json").read_text())
    assert record["init"] == str(init) and json.loads((tmp_path / "b" / "t.json").read_text())["init"] is None


def test_a_resumed_run_keeps_its_own_weights_and_says_init_is_not_used(tiny, renders, tmp_path,
                                                                       monkeypatch, capsys):
    from nets.training.card import model_card

    _tiny_standard(monkeypatch)
    pack = write_pack(tmp_path / "p.npz", _groups(renders), {"seeds": [0]})
    init = _weights(tiny(5), tmp_path / "adv.safetensors")
    common = ["--pack", str(pack), "--teacher", str(pack), "--variant", "adv", "--steps", "3",
              "--batch", "4", "--size", "16", "--checkpoints", "", "--device", "cpu",
              "--out", str(tmp_path / "out"), "--name", "r"]
    assert main([*common, "--max-steps", "1", "--init", str(init)]) == 0
    other = _weights(tiny(6), tmp_path / "other.safetensors")
    assert main([*common, "--max-steps", "1", "--init", str(other)]) == 0   # resumes iteration 1
    out = capsys.readouterr().out
    assert "resuming" in out and f"--init {other} is not used" in out
    record = json.loads((tmp_path / "out" / "r.json").read_text())
    assert record["start_step"] == 1 and record["init"] is None and record["previous"]["init"] == str(init)
    assert f"Fine-tuned from the weights `{init}` (`--init`" in model_card(record)


def _pickle(path, tiny):
    torch.save(tiny(1).net.state_dict(), path)
    return path


def _state(path, tiny):
    from safetensors.torch import save_file

    save_file({"model.x": torch.zeros(1), "rng.torch": torch.zeros(1, dtype=torch.uint8)}, str(path),
              metadata={"format": "1", "progress": "{}"})
    return path


def _other_model(path, tiny):
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(3)}, str(path))
    return path


@pytest.mark.parametrize("make, name, message", [
    (_pickle, "w.pth", "pickles are not read"),
    (_state, "r_state_iter3.safetensors", "continue its run with --resume"),
    (_other_model, "other.safetensors", "does not fit the model"),
    (None, "absent.safetensors", "no such file"),
])
def test_init_refuses_what_is_not_weights_of_this_model(tiny, renders, tmp_path, monkeypatch, capsys,
                                                        make, name, message):
    _tiny_standard(monkeypatch)
    pack = write_pack(tmp_path / "p.npz", _groups(renders), {"seeds": [0]})
    path = make(tmp_path / name, tiny) if make else tmp_path / name
    with pytest.raises(SystemExit) as exit_:
        main(["--pack", str(pack), "--teacher", str(pack), "--variant", "adv", "--max-steps", "1",
              "--batch", "4", "--size", "16", "--device", "cpu", "--out", str(tmp_path / "out"),
              "--init", str(path)])
    assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_model_card_names_the_packs_scene_variety(tiny, renders, tmp_path):
    from nets.training.card import model_card

    cfg = BatchedConfig(variant="adv", steps=1, batch=4, size=16, balance_power=0.0, device="cpu")
    pool = DevicePool(_groups(renders), torch.device("cpu"), "adv")
    record = train_batched(tiny(1), tiny(0), pool, cfg, tmp_path, "c", log=lambda s: None)
    record["pack"] = {"seeds": [0], "scenes": 12, "quality": 85, "photos": ["astronaut", "horse"],
                      "variety": {"pitch": [-70.0, 20.0], "distance": [0.65, 1.7], "roll": 12.0,
                                  "lighting": "random", "backgrounds": [["named", 3.0], ["plain", 1.0]]}}
    card = model_card(record)
    assert "pitch -70..20" in card and "random lighting" in card and "named 3, plain 1" in card
    assert "photos: astronaut, horse" in card and "Fine-tuned from torchvision's" in card
