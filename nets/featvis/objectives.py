"""What a feature visualisation maximises: one channel of a layer, or one class logit.

    Target.parse("block13:42")   # mean activation of channel 42 of layer block13
    Target.parse("logit:281")    # the logit of class 281 (tabby)

The layer is a ``Classifier``'s readable layer name or a dotted module path (as in
``nets.taps``). ``lucent_objective`` gives the same target as a lucent ``Objective``,
which reads activations through a function ``T(name)``; ``T("logits")`` is the output.
"""
from dataclasses import dataclass

from torch import nn

from ..taps import resolve
from .lucent_compat import lucent

LOGIT = "logit"
LOGITS_NAME = "logits"  # what the objective asks T for to get the model output


@dataclass(frozen=True)
class Target:
    layer: str    # a tappable layer, or LOGIT for a class logit
    channel: int  # channel of the layer, or class index

    @classmethod
    def parse(cls, spec: "str | Target") -> "Target":
        if isinstance(spec, Target):
            return spec
        layer, sep, channel = str(spec).strip().rpartition(":")
        if not sep or not layer or not channel.strip().isdigit():
            raise ValueError(f"{spec!r} is not <layer>:<channel> (e.g. block13:42) "
                             "or logit:<class>")
        return cls(layer.strip(), int(channel))

    @property
    def spec(self) -> str:
        return f"{self.layer}:{self.channel}"

    @property
    def is_logit(self) -> bool:
        return self.layer == LOGIT

    def check(self, model: nn.Module) -> None:
        """Fail early on an unknown layer or a channel the layer does not have."""
        if self.channel < 0:
            raise ValueError(f"negative channel in {self.spec!r}")
        if self.is_logit:
            return
        resolve(model, self.layer)  # KeyError naming the layer
        if hasattr(model, "layer"):
            try:
                channels = model.layer(self.layer).channels
            except KeyError:
                return  # a module path: its width is known only after a forward pass
            if self.channel >= channels:
                raise ValueError(f"{self.layer} has {channels} channels; {self.channel} is out of range")

    def lucent_objective(self):
        """lucent's channel objective: minus the mean of the channel (or logit) over batch and space."""
        name = LOGITS_NAME if self.is_logit else self.layer
        return lucent().objectives.channel(name, self.channel)
