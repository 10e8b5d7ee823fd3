"""`perturber train` / `perturber evaluate` end to end, tiny: a few renders, one step."""
import json

import pytest

from game.cli import main as cli
from nets import registry
from nets.training.photos import all_training_photos


@pytest.fixture
def small_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PERTURBER_CACHE", str(tmp_path / "cache"))
    return tmp_path


@pytest.mark.skipif(not registry.get("mobilenet_v2").available(), reason="standard weights absent")
def test_train_writes_checkpoints_that_load(small_cache, capsys):
    out = small_cache / "out"
    rc = cli.main(["train", "--variant", "stylized", "--steps", "2", "--checkpoints", "2",
                   "--renders", "3", "--batch", "2", "--size", "32", "--threads", "1",
                   "--out", str(out), "--name", "tiny_run"])
    assert rc == 0
    assert (out / "tiny_run_iter2.safetensors").is_file() and (out / "tiny_run.safetensors").is_file()
    record = json.loads((out / "tiny_run.json").read_text())
    assert record["steps"] == 2 and record["config"]["variant"] == "stylized"
    entry = registry.register_user_checkpoint(out / "tiny_run.safetensors", "mobilenet_v2",
                                              checkpoints={2: out / "tiny_run_iter2.safetensors"})
    try:
        assert entry.checkpoints() == [0, 2]
        model = entry.load(2)
        assert model(__import__("torch").rand(1, 3, 64, 64)).shape == (1, 1000)
    finally:
        registry.unregister(entry.name)


def test_checkpoint_iterations_are_parsed_by_the_option():
    args = cli.build_parser().parse_args(["train", "--variant", "adv", "--out", "o",
                                          "--checkpoints", "300, 100,100,"])
    assert args.checkpoints == (100, 300)


@pytest.mark.parametrize("argv, message", [
    (["--steps", "-3"], "--steps: -3 is out of range"),
    (["--minutes", "nan"], "--minutes: 'nan' is not a finite number"),
    (["--minutes", "-1"], "--minutes: -1 must be > 0"),
    (["--eps", "nan"], "--eps: 'nan' is not a finite number"),
    (["--clean-weight", "inf"], "--clean-weight: 'inf' is not a finite number"),
    (["--name", "../../x"], "--name: '../../x': a name is"),
    (["--images", "/no/such/folder"], "--images: /no/such/folder: no such folder"),
    (["--resume", "/no/such.safetensors"], "--resume: /no/such.safetensors: no such file"),
])
def test_train_refuses_nonsense_before_any_work(small_cache, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "--variant", "adv", "--out", str(small_cache / "out"), *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not (small_cache / "out").exists() and not (small_cache / "cache").exists()


@pytest.mark.skipif(not registry.get("mobilenet_v2").available(), reason="standard weights absent")
def test_resume_continues_counting_from_the_iteration_in_the_file(small_cache, capsys):
    from nets.loading import iteration_of

    out = small_cache / "out"
    tiny = ["--renders", "3", "--batch", "2", "--size", "32", "--threads", "1", "--out", str(out)]
    assert cli.main(["train", "--variant", "stylized", "--steps", "2", "--checkpoints", "1,2",
                     "--name", "first", *tiny]) == 0
    first_iter2 = (out / "first_iter2.safetensors").read_bytes()
    assert iteration_of(out / "first_iter2.safetensors") == 2
    assert cli.main(["train", "--variant", "stylized", "--steps", "2", "--checkpoints", "3,4",
                     "--resume", str(out / "first_iter2.safetensors"), "--name", "first", "--force",
                     *tiny]) == 0
    assert "resuming" in capsys.readouterr().out
    assert iteration_of(out / "first_iter4.safetensors") == 4 == iteration_of(out / "first.safetensors")
    assert (out / "first_iter2.safetensors").read_bytes() == first_iter2  # earlier work kept
    assert json.loads((out / "first.json").read_text())["start_step"] == 2


@pytest.mark.skipif(not registry.get("mobilenet_v2").available(), reason="standard weights absent")
def test_resume_without_a_file_continues_the_newest_state_and_refuses_other_settings(small_cache, capsys):
    out = small_cache / "out"
    tiny = ["--variant", "adv", "--attack-steps", "1", "--renders", "2", "--batch", "2",
            "--size", "32", "--threads", "1", "--out", str(out), "--name", "run"]
    assert cli.main(["train", "--steps", "1", *tiny]) == 0
    assert (out / "run_state_iter1.safetensors").is_file()
    assert cli.main(["train", "--steps", "1", "--resume", *tiny]) == 0   # no --force: its own run
    assert "resuming" in capsys.readouterr().out
    assert json.loads((out / "run.json").read_text())["steps"] == 2
    assert cli.main(["train", "--steps", "1", "--resume", "--lr", "1e-3", *tiny]) == 2
    assert "other settings (lr: state 5e-05, now 0.001)" in capsys.readouterr().err
    assert cli.main(["train", "--steps", "1", "--resume", *tiny[:-1], "other"]) == 2
    assert "no state of run 'other'" in capsys.readouterr().err


def test_an_earlier_run_is_not_replaced_without_force(small_cache, capsys):
    out = small_cache / "out"
    out.mkdir()
    (out / "mobilenet_v2_adv.safetensors").write_bytes(b"earlier")
    assert cli.main(["train", "--variant", "adv", "--steps", "1", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "mobilenet_v2_adv.safetensors").read_bytes() == b"earlier"


def test_markdown_table_lists_every_measure():
    from game.cli.evaluate import markdown_table

    result = {"models": {"a": {"renders": {"clean": 1.0, "l2_0.5": 0.25, "lowfreq_l2_0.5_0.125": 0.1},
                               "shape_bias": {"shape_bias": 0.5, "shape": 1, "texture": 1, "other": 0}}}}
    table = markdown_table(result)
    assert "| renders: clean agreement | 100.0 |" in table
    assert "L2 eps 0.5 | 25.0" in table and "0.50 (1/1/0)" in table
    result["models"]["a"]["renders"]["clean_confident"] = 0.75
    result["settings"] = {"confident": {"renders": 4}, "confident_p": 0.5,
                          "reference_stability": {"renders": {"mirror": 0.7}}}
    table = markdown_table(result)
    assert "| renders: clean agreement where the reference is confident (p >= 0.5, 4 images) | 75.0 |" in table
    assert "renders: mirror 70.0 %" in table


def test_train_on_a_missing_gpu_fails_before_any_work(small_cache, capsys, monkeypatch):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)  # any machine: no GPU here
    rc = cli.main(["train", "--variant", "adv", "--steps", "1", "--device", "cuda",
                   "--out", str(small_cache / "out")])
    assert rc == 2
    assert "no CUDA GPU" in capsys.readouterr().err
    assert not (small_cache / "cache").exists()  # nothing rendered


def test_train_pack_renders_and_packs_for_a_gpu_machine(small_cache, capsys):
    from nets.training.pack import read_pack

    out = small_cache / "pack.npz"
    assert cli.main(["train-pack", "--renders", "2", "--seeds", "3", "--quality", "90",
                     "--out", str(out)]) == 0
    groups, meta = read_pack(out)
    assert meta["seeds"] == [3] and meta["scenes"] == 2
    assert [len(groups[g]) for g in ("clean", "swapped")] == [2, 2]
    assert groups["clean"][0].shape == (224, 224, 3) and groups["clean"][0].std() > 5  # not blank
    assert len(groups["photos"]) == len(all_training_photos()) and len(groups["textures"]) > 12
    assert '"mb"' in capsys.readouterr().out


def test_a_tiny_pack_holds_varied_scenes_every_training_photo_and_no_heldout_one(small_cache):
    from nets.training.pack import read_pack
    from nets.training.photos import HELDOUT_PHOTOS, photo
    from tests.nets.training.test_photos import same_picture

    out = small_cache / "pack.npz"
    assert cli.main(["train-pack", "--renders", "5", "--seeds", "4", "--out", str(out)]) == 0
    groups, meta = read_pack(out)
    table = meta["scene_table"]
    assert meta["variety"]["lighting"] == "random" and meta["variety"]["photos"] == "all"
    assert len(table["light"]) == 5 and len({tuple(light) for light in table["light"]}) == 5
    assert len(set(table["background"])) >= 3 and len({b.split(":")[0] for b in table["background"]}) >= 2
    assert len(set(table["pitch"])) == 5
    assert meta["photos"] == list(all_training_photos())
    for name, packed in zip(meta["photos"], groups["photos"]):
        assert same_picture(packed, photo(name)), name
    held = [photo(n) for n in HELDOUT_PHOTOS]
    for image in groups["photos"] + groups["textures"]:
        assert not any(same_picture(image, h) for h in held)
    assert not set(meta["photos"]) & set(HELDOUT_PHOTOS)


def test_train_pack_options_replace_the_presets_settings(small_cache):
    from nets.training.pack import read_meta

    out = small_cache / "pack.npz"
    assert cli.main(["train-pack", "--renders", "2", "--seeds", "5", "--variety", "standard",
                     "--lighting", "random", "--pitch=-80,-60", "--backgrounds", "plain",
                     "--noise-textures", "3", "--out", str(out)]) == 0
    meta = read_meta(out)
    assert meta["variety"]["photos"] == "standard" and meta["variety"]["lighting"] == "random"
    assert meta["variety"]["pitch"] == [-80, -60] and meta["variety"]["roll"] == 8.0
    assert all(-80 <= p <= -60 for p in meta["scene_table"]["pitch"])
    assert all(b.startswith("plain:") for b in meta["scene_table"]["background"])
    assert meta["groups"]["photos"] == 12 and all(light for light in meta["scene_table"]["light"])


@pytest.mark.parametrize("argv, message", [
    (["--seeds", "10000"], "kept for evaluation"),
    (["--seeds", "a"], "must be integers"),
    (["--quality", "0"], "--quality"),
    (["--pitch=10,-10"], "LO <= HI"),
    (["--pitch=-95,0"], "pitch must lie"),
    (["--backgrounds", "sky=2"], "a background kind is one of"),
    (["--lighting", "dim"], "invalid choice"),
])
def test_train_pack_refuses_bad_options(small_cache, capsys, argv, message):
    try:  # a value the option's type refuses stops at the parser (SystemExit 2)
        status = cli.main(["train-pack", "--renders", "1", "--out", str(small_cache / "p.npz"), *argv])
    except SystemExit as exit_:
        status = exit_.code
    assert status == 2
    assert message in capsys.readouterr().err
    assert not (small_cache / "p.npz").exists()


def test_models_can_be_named_by_architecture_and_file(tmp_path):
    from game.cli.args import parse_models
    from game.core.params import ParamError
    from safetensors.torch import save_file

    path = tmp_path / "my_run.safetensors"
    save_file({"w": __import__("torch").zeros(1)}, str(path))
    try:
        assert parse_models(f"mobilenet_v2,mobilenet_v2={path}") == [("mobilenet_v2", 0), ("my_run", 0)]
    finally:
        registry.unregister("my_run")
    with pytest.raises(ParamError, match="unknown architecture"):
        parse_models(f"toaster={path}")
    with pytest.raises(ParamError, match="no such file"):
        parse_models(f"mobilenet_v2={tmp_path / 'absent.safetensors'}")
