"""Weight editing: the Edited Model made from Model 1 and Model 2.

One operation per file, each building a *new* state_dict and never touching the
models it reads:

- :mod:`.blocks`: which tensors each slider moves (``block_keys``: one block per
  tappable layer, plus ``classifier``);
- :mod:`.mix`: ``mix_models``, ``W = W1 (1 - a) + W2 a`` per block;
- :mod:`.prune`: ``prune_model``, keep the output channels whose weight-magnitude
  rank lies in [rl, ru] per block;
- :mod:`.settings`: the ``edit_weights`` string (parse, validate, format);
- :mod:`.build`: a ready ``Classifier`` around an edited state_dict.

``settings`` is plain Python and this package imports the torch parts only when one
of their names is used: reading and writing ``edit_weights`` imports no torch.
"""
from importlib import import_module

from .settings import FULL, MODES, EditError, EditSettings, format_edits, parse_edits, read_edits

# Functions are not named like their modules: importing a submodule binds its name here.
_LAZY = {
    "CLASSIFIER": ".blocks", "block_keys": ".blocks", "block_names": ".blocks",
    "edited_classifier": ".build",
    "check_same_architecture": ".mix", "mix_models": ".mix", "mix_state_dicts": ".mix",
    "channel_magnitudes": ".prune", "keep_mask": ".prune", "prune_model": ".prune",
    "prune_state_dict": ".prune",
}

__all__ = ["FULL", "MODES", "EditError", "EditSettings", "edit", "format_edits", "parse_edits",
           "read_edits", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def edit(mode: str, model1, model2, settings: EditSettings, name: str = "edited"):
    """The Edited Model for ``mode`` ("mix" or "prune") and ``settings``: a new
    ``Classifier``; ``model2`` is only needed (and checked) for "mix"."""
    from .build import edited_classifier
    from .mix import mix_models
    from .prune import prune_model

    if mode == "mix":
        if model2 is None:
            raise EditError("mix needs Model 2")
        state = mix_models(model1, model2, settings.mix)
    elif mode == "prune":
        state = prune_model(model1, settings.prune)
    else:
        raise EditError(f"edit mode {mode!r}: choose one of {', '.join(MODES)}")
    return edited_classifier(model1, state, name=name)
