"""Resumable training: a run stopped and resumed from its state file ends where one
uninterrupted run ends, exactly (CPU, same thread count); a state of another model or
run is refused."""
import pytest
import torch

from nets.training import augment
from nets.training.batched import BatchedConfig, DevicePool, train_batched
from nets.training.loop import Pool, TrainConfig, train
from nets.training.state import StateMismatch, load_state, newest_state, state_path


def _quiet(_):
    pass


def _loop_pool(renders):
    return Pool(renders, photos=[augment.to_tensor(renders[0])])


def _loop_cfg(steps, **changes):
    return TrainConfig(**{"variant": "adv", "steps": steps, "batch": 4, "size": 24, "lr": 1e-2,
                          "eps": 0.1, "photo_fraction": 0.25, "balance_power": 0.5,
                          "log_every": 100, **changes})


def _batched_pool(renders, variant="adv"):
    groups = {"clean": list(renders), "swapped": list(renders[::-1]), "photos": [renders[0]],
              "textures": [renders[1]]}
    return DevicePool(groups, torch.device("cpu"), variant)


def _batched_cfg(**changes):
    return BatchedConfig(**{"variant": "adv", "steps": 6, "batch": 4, "size": 24, "lr": 1e-2,
                            "warmup": 0.3, "eps_ramp": 0.5, "eps": 0.1, "photo_fraction": 0.25,
                            "checkpoints": (0.5,), "device": "cpu", "amp": False, **changes})


def _same_weights(a, b) -> bool:
    sa, sb = a.net.state_dict(), b.net.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_a_loop_run_in_two_halves_ends_with_the_same_weights(tiny, renders, tmp_path):
    whole = tiny(1)
    train(whole, tiny(0), _loop_pool(renders), _loop_cfg(6), tmp_path / "whole", "r", log=_quiet)
    half = tiny(1)
    train(half, tiny(0), _loop_pool(renders), _loop_cfg(3), tmp_path / "halves", "r", log=_quiet)
    assert not _same_weights(whole, half)
    state = load_state(newest_state(tmp_path / "halves", "r"))
    assert state.iteration == 3
    resumed = tiny(7)   # any start: the state brings the weights
    record = train(resumed, tiny(0), _loop_pool(renders), _loop_cfg(3), tmp_path / "halves", "r",
                   log=_quiet, state=state)
    assert _same_weights(whole, resumed)
    assert record["steps"] == 6 and record["start_step"] == 3 and record["previous"]["steps"] == 3
    assert newest_state(tmp_path / "halves", "r") == state_path(tmp_path / "halves", "r", 6)


def test_a_batched_run_in_two_halves_ends_with_the_same_weights(tiny, renders, tmp_path):
    whole = tiny(1)
    train_batched(whole, tiny(0), _batched_pool(renders), _batched_cfg(), tmp_path / "whole", "b",
                  log=_quiet)
    half = tiny(1)
    record = train_batched(half, tiny(0), _batched_pool(renders), _batched_cfg(max_steps=2),
                           tmp_path / "halves", "b", log=_quiet)
    assert record["steps"] == 2 and not record["budget_spent"]
    resumed = tiny(1)
    record = train_batched(resumed, tiny(0), _batched_pool(renders), _batched_cfg(max_steps=4),
                           tmp_path / "halves", "b", log=_quiet,
                           state=load_state(newest_state(tmp_path / "halves", "b")))
    assert record["steps"] == 4 and sorted(record["checkpoints"]) == [3]   # the 50 % mark
    resumed = tiny(1)
    record = train_batched(resumed, tiny(0), _batched_pool(renders), _batched_cfg(),
                           tmp_path / "halves", "b", log=_quiet,
                           state=load_state(newest_state(tmp_path / "halves", "b")))
    assert _same_weights(whole, resumed)
    assert record["steps"] == 6 and record["budget_spent"] and record["previous"]["steps"] == 4
    assert record["previous"]["previous"]["steps"] == 2 and not record["checkpoints"]
    assert state_path(tmp_path / "halves", "b", 3).is_file()


def test_the_schedule_starts_after_the_first_step_and_continues_on_resume():
    cfg = _batched_cfg(steps=10, warmup=0.2, eps_ramp=0.5)
    assert cfg.progress(0, 123.0) == 0.0 and cfg.progress(5, 0.0) == 0.5
    assert cfg.lr_at(cfg.progress(0, 0)) < cfg.lr_at(cfg.progress(1, 0)) < cfg.lr
    assert cfg.eps_at(cfg.progress(0, 0)) == 0.0
    timed = _batched_cfg(steps=None, seconds=100.0)
    assert timed.progress(50, 25.0) == 0.25


def test_a_state_of_other_settings_is_refused(tiny, renders, tmp_path):
    train(tiny(1), tiny(0), _loop_pool(renders), _loop_cfg(2), tmp_path, "r", log=_quiet)
    state = load_state(state_path(tmp_path, "r", 2))
    with pytest.raises(StateMismatch, match=r"other settings \(lr: state 0.01, now 0.02"):
        train(tiny(1), tiny(0), _loop_pool(renders), _loop_cfg(2, lr=2e-2), tmp_path, "r",
              log=_quiet, state=state)
    with pytest.raises(StateMismatch, match="renders: state 12, now 6"):
        train(tiny(1), tiny(0), _loop_pool(renders[:6]), _loop_cfg(2), tmp_path, "r",
              log=_quiet, state=state)
    with pytest.raises(StateMismatch, match="of the loop recipe, not of the batched one"):
        train_batched(tiny(1), tiny(0), _batched_pool(renders), _batched_cfg(), tmp_path, "r",
                      log=_quiet, state=state)
    # more steps, other checkpoints, another device: the same run, continued
    train(tiny(1), tiny(0), _loop_pool(renders), _loop_cfg(1, checkpoints=(3,)), tmp_path, "r",
          log=_quiet, state=state)


def test_a_state_of_another_model_is_refused(tiny, renders, tmp_path):
    from torch import nn

    train(tiny(1), tiny(0), _loop_pool(renders), _loop_cfg(2), tmp_path, "r", log=_quiet)
    state = load_state(state_path(tmp_path, "r", 2))
    wider = tiny(1)
    wider.net.classifier = nn.Linear(8, 10, bias=False)
    with pytest.raises(StateMismatch, match="not the model of this run.*unexpected keys: classifier.bias"):
        train(wider, tiny(0), _loop_pool(renders), _loop_cfg(2), tmp_path, "r", log=_quiet, state=state)


@pytest.mark.parametrize("content", [b"not a file", None])
def test_what_is_not_a_state_file_is_refused(tiny, tmp_path, content):
    from nets.training.loop import save_weights

    path = tmp_path / "x.safetensors"
    if content is None:
        save_weights(tiny(0), path, 5)    # a weights file: no state in it
    else:
        path.write_bytes(content)
    with pytest.raises(StateMismatch, match="x.safetensors: not a"):
        load_state(path)


def test_newest_state_picks_the_highest_iteration(tmp_path):
    for n in (2, 10, 9):
        state_path(tmp_path, "run", n).write_bytes(b"")
    (tmp_path / "run_x_state_iter99.safetensors").write_bytes(b"")   # another run's
    assert newest_state(tmp_path, "run") == state_path(tmp_path, "run", 10)
    assert newest_state(tmp_path, "other") is None


def test_a_channels_last_student_is_saved_and_resumed(tiny, renders, tmp_path):
    """On CUDA the batched recipe trains in channels_last: its weights and the optimiser's
    moments are not contiguous, and the state file must still be written."""
    student = tiny(1).to(memory_format=torch.channels_last)
    assert not next(p for p in student.net.parameters() if p.dim() == 4).is_contiguous()
    train_batched(student, tiny(0), _batched_pool(renders), _batched_cfg(max_steps=2),
                  tmp_path, "cl", log=_quiet)
    state = load_state(newest_state(tmp_path, "cl"))
    assert state.iteration == 2
    resumed = tiny(7)
    train_batched(resumed, tiny(0), _batched_pool(renders), _batched_cfg(max_steps=2),
                  tmp_path, "cl", log=_quiet, state=state)
    assert _same_weights(student, resumed)
