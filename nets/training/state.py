"""Resumable training: a run's whole state at a checkpoint, in one safetensors file.

``<name>_state_iter<N>.safetensors`` lies beside the weights ``<name>_iter<N>.safetensors``
(and beside the final weights, for the last iteration of each process). Tensors only,
read back by ``nets.loading`` (never a pickle):

- ``model.<key>``: the student's whole state_dict in fp32 (the weights files are fp16,
  for use; continuing exactly needs full precision);
- ``optim.<parameter>.<key>``: the optimiser's state per trainable parameter, by name
  (Adam's step and moments);
- ``rng.<name>``: generator states as uint8 tensors (``torch``: the CPU generator,
  ``cuda``: the GPU's, ``batches``: the recipe's own batch generator).

Metadata (strings): ``format``, ``iteration``, ``recipe`` (``loop`` or ``batched``),
``run`` (JSON: the settings that decide the run's course; a resume with other values is
refused), ``optimiser`` (JSON: its hyper-parameters) and ``progress`` (JSON: where the
schedule stands, numpy's generator, the run record so far).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

FORMAT = "1"


class StateMismatch(ValueError):
    """A state file that is not one, or that belongs to another model or run."""


def state_path(folder, name: str, iteration: int) -> Path:
    return Path(folder) / f"{name}_state_iter{int(iteration)}.safetensors"


def newest_state(folder, name: str) -> Path | None:
    """The state file of run ``name`` in ``folder`` with the highest iteration, or None."""
    regex = re.compile(rf"{re.escape(name)}_state_iter(\d+)\.safetensors")
    found = {}
    for path in Path(folder).glob(f"{name}_state_iter*.safetensors"):
        match = regex.fullmatch(path.name)
        if match:
            found[int(match.group(1))] = path
    return found[max(found)] if found else None


def state_for(path) -> Path | None:
    """The state file for ``path``: itself if it is one; for weights written by a recipe
    (``<name>_iter<N>`` or ``<name>``, recording iteration N), the state file of that run
    and iteration beside it, if there; else None."""
    from ..loading import iteration_of, metadata_of

    path = Path(path)
    meta = metadata_of(path)
    if meta.get("format") == FORMAT and "progress" in meta:
        return path
    iteration = iteration_of(path)
    if iteration is None:
        return None
    name = re.sub(r"_iter\d+$", "", path.stem)
    beside = state_path(path.parent, name, iteration)
    return beside if beside.is_file() else None


def run_settings(cfg, free: tuple[str, ...], **data_sizes: int) -> dict:
    """The settings of ``cfg`` (a dataclass) that decide a run's course, as JSON values:
    all but the ``free`` ones (those a resumed run may change), plus the training data's sizes."""
    return json.loads(json.dumps({**{k: v for k, v in asdict(cfg).items() if k not in free},
                                  **data_sizes}))


def write_safetensors(path: Path, tensors: dict[str, torch.Tensor], metadata: dict | None) -> Path:
    """Write ``tensors`` whole (a temp file, then a rename): a stopped process leaves no half file.
    Tensors in another memory layout (channels_last on CUDA) are written in the standard one."""
    from safetensors.torch import save_file

    tensors = {k: v.contiguous() for k, v in tensors.items()}

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        save_file(tensors, tmp, metadata=metadata)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def rng_states(device: torch.device, batches: torch.Generator | None = None) -> dict:
    states = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        states["cuda"] = torch.cuda.get_rng_state(device)
    if batches is not None:
        states["batches"] = batches.get_state()
    return states


def _names(student, optimiser) -> list[list[str]]:
    """The parameter names of each of the optimiser's groups, in its order."""
    by_id = {id(p): n for n, p in student.net.named_parameters()}
    return [[by_id[id(p)] for p in group["params"]] for group in optimiser.param_groups]


def save_state(path, *, iteration: int, recipe: str, run: dict, student, optimiser,
               rng: dict, progress: dict) -> Path:
    """Write the state of a run after ``iteration`` optimiser steps (see the module docstring)."""
    tensors = {f"model.{k}": v.detach().float().cpu().clone() if v.is_floating_point()
               else v.detach().cpu().clone() for k, v in student.net.state_dict().items()}
    for names, group in zip(_names(student, optimiser), optimiser.param_groups):
        for name, p in zip(names, group["params"]):
            for key, value in optimiser.state.get(p, {}).items():
                tensors[f"optim.{name}.{key}"] = torch.as_tensor(value).detach().cpu().clone()
    for key, value in rng.items():
        tensors[f"rng.{key}"] = value.detach().cpu().to(torch.uint8).clone()
    groups = [{k: v for k, v in g.items() if k != "params"} for g in optimiser.state_dict()["param_groups"]]
    metadata = {"format": FORMAT, "iteration": str(int(iteration)), "recipe": recipe,
                "run": json.dumps(run), "optimiser": json.dumps(groups),
                "progress": json.dumps(progress)}
    return write_safetensors(Path(path), tensors, metadata)


@dataclass
class TrainState:
    """A state file, read back: call ``check`` then ``restore`` on a freshly set-up run."""
    path: Path
    iteration: int
    recipe: str
    run: dict
    progress: dict
    tensors: dict
    optimiser_groups: list

    def check(self, recipe: str, run: dict) -> None:
        """Refuse a state of another recipe, or one whose run settings differ from ``run``."""
        if recipe != self.recipe:
            raise StateMismatch(f"{self.path}: a state of the {self.recipe} recipe, "
                                f"not of the {recipe} one")
        differ = sorted(k for k in set(run) | set(self.run) if run.get(k) != self.run.get(k))
        if differ:
            said = "; ".join(f"{k}: state {self.run.get(k)!r}, now {run.get(k)!r}" for k in differ)
            raise StateMismatch(f"{self.path}: made by a run with other settings ({said}); "
                                "resume with the same settings, or start afresh")

    def restore(self, student, optimiser, device: torch.device,
                batches: torch.Generator | None = None) -> None:
        """Load weights, optimiser state and generator states into a set-up run."""
        from ..loading import ModelLoadError, load_into

        model = {k[len("model."):]: v for k, v in self.tensors.items() if k.startswith("model.")}
        try:
            load_into(student.net, model, source=self.path)
        except ModelLoadError as exc:
            raise StateMismatch(f"not the model of this run: {exc}") from None
        self._restore_optimiser(student, optimiser)
        torch.set_rng_state(self.tensors["rng.torch"])
        if device.type == "cuda" and "rng.cuda" in self.tensors:
            torch.cuda.set_rng_state(self.tensors["rng.cuda"], device)
        if batches is not None:
            if "rng.batches" not in self.tensors:
                raise StateMismatch(f"{self.path}: holds no batch generator state")
            batches.set_state(self.tensors["rng.batches"])

    def _restore_optimiser(self, student, optimiser) -> None:
        saved: dict[str, dict] = {}
        for key, value in self.tensors.items():
            if key.startswith("optim."):
                name, slot = key[len("optim."):].rsplit(".", 1)
                saved.setdefault(name, {})[slot] = value
        names = _names(student, optimiser)
        trained = {n for group in names for n in group}
        if saved and set(saved) != trained or len(self.optimiser_groups) != len(names):
            extra, missing = sorted(set(saved) - trained), sorted(trained - set(saved))
            raise StateMismatch(f"{self.path}: its optimiser state is for other parameters "
                                f"(only in the state: {extra[:3]}; only in this run: {missing[:3]}); "
                                "the model or its frozen layers differ")
        current = optimiser.state_dict()
        index = {}
        for group_names, group in zip(names, current["param_groups"]):
            index.update(zip(group_names, group["params"]))
        groups = [{**{k: tuple(v) if isinstance(v, list) else v for k, v in hyper.items()},
                   "params": group["params"]}
                  for hyper, group in zip(self.optimiser_groups, current["param_groups"])]
        optimiser.load_state_dict({"state": {index[n]: s for n, s in saved.items()},
                                   "param_groups": groups})


def load_state(path) -> TrainState:
    """Read a state file (weights-only safetensors); StateMismatch when it is not one."""
    from ..loading import ModelLoadError, metadata_of, read_file

    path = Path(path)
    try:
        meta = metadata_of(path)
        tensors = read_file(path)
    except ModelLoadError as exc:
        raise StateMismatch(str(exc)) from None
    if meta.get("format") != FORMAT or "rng.torch" not in tensors:
        raise StateMismatch(f"{path}: not a training state file (format {meta.get('format')!r}; "
                            f"this code reads {FORMAT}); weights files are resumed from their "
                            "state file beside them")
    try:
        return TrainState(path, int(meta["iteration"]), meta["recipe"], json.loads(meta["run"]),
                          json.loads(meta["progress"]), tensors, json.loads(meta["optimiser"]))
    except (KeyError, ValueError) as exc:
        raise StateMismatch(f"{path}: damaged training state metadata ({exc})") from None
