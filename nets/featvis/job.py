"""Feature visualisation as a job that advances a few steps at a time.

    job = FeatureVisJob(model, "block13:42")     # or "logit:281"
    while not job.finished:
        job.step(4)                               # e.g. once per frame
    image = job.image()                           # (H, W, 3) float32 in [0, 1]

The image is optimised by gradient ascent on the objective (Adam), through lucent's
parameterisations: by default a Fourier spectrum with decorrelated colour (Olah et al.
2017, as in the Circuits project and OpenAI Microscope); ``naive=True`` optimises the
pixels directly, without colour decorrelation (the thesis's "Naive Parameterization").
Each step sees the image through lucent's standard random transformations (pad,
jitter, scale, rotate) and, when smaller, upsampled to the model's input size.

The model must take images in [0, 1] and normalise them itself, as a ``Classifier``
does; no normalisation is added here. Between two ``step`` calls the model carries no
hook of ours, so it can be used for inference in the meantime; the job never changes
the model's parameters, their ``.grad`` or its train/eval mode. It draws its random
numbers from its own generators, so a seed gives the same image however the steps are
spread and whatever else draws random numbers meanwhile; numpy's and torch's global
generators are left as they were. Hooks belong to modules, not threads: a job on a
worker thread needs its own copy of a model that another thread runs at the same time.
"""
from contextlib import contextmanager
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..classifier import INPUT_SIZE
from ..taps import resolve, tap
from .cache import CacheKey
from .lucent_compat import decorrelate_colour, lucent, using
from .objectives import LOGITS_NAME, Target

DEFAULT_LR = 0.05  # lucent's render_vis default (Adam)
INIT_SD = 0.01     # lucent's default spread of the random start (spectrum or pixels)


class _StopForward(Exception):
    """Raised by a hook once the tapped layer has run: the rest of the network is not needed."""


class FeatureVisJob:
    def __init__(self, model: nn.Module, objective: "str | Target", *, size: int = 128,
                 steps: int = 256, naive: bool = False, seed: int = 0, lr: float = DEFAULT_LR,
                 transforms: bool = True, input_size: int | None = INPUT_SIZE):
        """``objective``: "layer:channel" or "logit:class" (see ``Target``).

        ``transforms``: lucent's standard transformation robustness (off only for tests
        and experiments). ``input_size``: images smaller than this are upsampled to it
        before the model sees them (lucent does the same to 224); None feeds them as is.
        """
        if size < 1 or steps < 0:
            raise ValueError(f"need size >= 1 and steps >= 0, got size={size}, steps={steps}")
        self.model = model
        self.target = Target.parse(objective)
        self.target.check(model)
        self.size, self.steps, self.naive, self.seed = size, steps, naive, seed
        self.lr, self.transforms, self.input_size = lr, transforms, input_size
        self.device = _device_of(model)
        self.done = 0
        self.values: list[float] = []  # objective (activation or logit) seen by each step

        lu = lucent()
        self._objective = self.target.lucent_objective()
        self._transforms = list(lu.transform.standard_transforms) if transforms else []
        self._rng = np.random.RandomState(seed)  # what lucent's random transforms draw from
        with torch.inference_mode(False), torch.random.fork_rng(devices=[]), using(self.device, self._rng):
            make = lu.spatial.pixel_image if naive else lu.spatial.fft_image
            self._params, self._raw_image = make([1, 3, size, size], sd=INIT_SD)
            start = torch.Generator().manual_seed(seed)  # lucent's start drew from the global one
            with torch.no_grad():
                for param in self._params:
                    param.copy_(torch.randn(param.shape, generator=start).to(param.device) * INIT_SD)
        self._optimizer = torch.optim.Adam(self._params, lr=lr)

    # -- progress -----------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.done >= self.steps

    @property
    def progress(self) -> float:
        return 1.0 if self.steps == 0 else self.done / self.steps

    def step(self, n: int = 1) -> float:
        """Run up to ``n`` more optimisation steps; the progress afterwards, in [0, 1]."""
        n = min(n, self.steps - self.done)
        if n <= 0:
            return self.progress
        with self._optimising():
            for _ in range(n):
                self._step_once()
        return self.progress

    def run(self, on_step: Callable[["FeatureVisJob"], None] | None = None) -> np.ndarray:
        """Step to the end (calling ``on_step(job)`` after each step); the final image."""
        while not self.finished:
            self.step(1)
            if on_step is not None:
                on_step(self)
        return self.image()

    # -- results ------------------------------------------------------------------------
    def image(self) -> np.ndarray:
        """The current image, (size, size, 3) float32 in [0, 1]."""
        with torch.no_grad():
            rgb = self._rgb()
        return rgb[0].permute(1, 2, 0).detach().cpu().numpy().astype(np.float32)

    def evaluate(self) -> float:
        """The objective on the current image as it is (no random transforms)."""
        with self._optimising(), torch.no_grad():
            return -self._loss(self._fit_input(self._rgb())).item()

    def settings(self) -> dict:
        """What decides the image, for a cache sidecar or a log."""
        return {"objective": self.target.spec, "size": self.size, "steps": self.steps,
                "naive": self.naive, "seed": self.seed, "lr": self.lr,
                "transforms": "lucent.standard_transforms" if self.transforms else None,
                "input_size": self.input_size, "optimizer": "Adam",
                "parameterisation": "pixel" if self.naive else "fft+decorrelated_colour"}

    def cache_key(self, model_id: str) -> CacheKey:
        """The cache key of this job's image; ``model_id`` names network and weights."""
        return CacheKey(model_id, self.target.layer, self.target.channel, self.naive,
                        self.size, self.steps, self.seed)

    # -- internals ----------------------------------------------------------------------
    def _rgb(self) -> torch.Tensor:
        image = self._raw_image()
        if not self.naive:
            image = decorrelate_colour(image)
        return torch.sigmoid(image)

    def _fit_input(self, image: torch.Tensor) -> torch.Tensor:
        if self.input_size and (image.shape[-1] < self.input_size or image.shape[-2] < self.input_size):
            image = F.interpolate(image, size=(self.input_size, self.input_size),
                                  mode="bilinear", align_corners=True)
        return image

    def _step_once(self) -> None:
        image = self._rgb()
        for transform in self._transforms:
            image = transform(image)
        loss = self._loss(self._fit_input(image))
        grads = torch.autograd.grad(loss, self._params)  # never touches the model's .grad
        for param, grad in zip(self._params, grads):
            param.grad = grad
        self._optimizer.step()
        self.values.append(-loss.item())
        self.done += 1

    def _loss(self, images: torch.Tensor) -> torch.Tensor:
        if self.target.is_logit:
            logits = self.model(images)
            return self._objective(lambda name: _only(name, LOGITS_NAME, logits))
        layer = self.target.layer
        with tap(self.model, [layer], detach=False) as acts:
            stop = resolve(self.model, layer).register_forward_hook(_stop_forward)
            try:
                self.model(images)
            except _StopForward:
                pass
            finally:
                stop.remove()
        return self._objective(lambda name: _only(name, layer, acts[layer]))

    @contextmanager
    def _optimising(self) -> Iterator[None]:
        """Gradients on (also inside inference_mode), model in eval, lucent on our RNG and device."""
        was_training = self.model.training
        try:
            with torch.inference_mode(False), torch.enable_grad(), using(self.device, self._rng):
                if was_training:
                    self.model.eval()
                yield
        finally:
            if was_training:
                self.model.train()


def visualise(model: nn.Module, objective: "str | Target", *, size: int = 128, steps: int = 256,
              naive: bool = False, seed: int = 0,
              on_step: Callable[[FeatureVisJob], None] | None = None, **options) -> np.ndarray:
    """The feature visualisation of ``objective``: (size, size, 3) float32 in [0, 1].

    A ``FeatureVisJob`` run to the end; ``options`` go to it (lr, transforms, input_size).
    """
    job = FeatureVisJob(model, objective, size=size, steps=steps, naive=naive, seed=seed, **options)
    return job.run(on_step)


def _stop_forward(_module, _inputs, _output):
    raise _StopForward


def _only(name: str, expected: str, value: torch.Tensor) -> torch.Tensor:
    if name != expected:
        raise KeyError(f"this objective only taps {expected!r}, not {name!r}")
    return value


def _device_of(model: nn.Module) -> torch.device:
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")
