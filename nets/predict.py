"""Top-k predictions of a classifier on images in [0, 1]."""
import torch
from torch import nn

from .labels import class_names, label


def topk(logits: torch.Tensor, k: int = 5, label_of=label) -> list[list[dict]]:
    """Per row of ``logits`` (B, C): the k best classes as {"index", "label", "logit", "prob"}.

    ``label_of(index)`` names a class (a model with its own outputs passes its own)."""
    probs = logits.float().softmax(dim=1)
    k = min(k, logits.shape[1])
    best_logits, best = logits.float().topk(k, dim=1)
    rows = []
    for row_logits, row_idx, row_probs in zip(best_logits.tolist(), best.tolist(), probs):
        rows.append([{"index": i, "label": label_of(i), "logit": l, "prob": row_probs[i].item()}
                     for i, l in zip(row_idx, row_logits)])
    return rows


def predict(model: nn.Module, images: torch.Tensor, k: int = 5) -> list[list[dict]]:
    """Run ``model`` on ``images`` (B, 3, H, W) in [0, 1]; the top-k per image."""
    if images.dim() == 3:
        images = images.unsqueeze(0)
    with torch.inference_mode():
        logits = model(images)
    return topk(logits, k, class_names(model).label)
