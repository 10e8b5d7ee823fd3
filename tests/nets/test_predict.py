import math

import torch
from torch import nn

from nets.predict import predict, topk


class FixedLogits(nn.Module):
    """Ignores its input's values: logits = the given row for every image."""

    def __init__(self, row):
        super().__init__()
        self.register_buffer("row", torch.tensor(row, dtype=torch.float32))

    def forward(self, x):
        return self.row.expand(x.shape[0], -1) + 0 * x.mean()


def test_topk_orders_and_labels():
    row = torch.zeros(1000)
    row[281], row[555], row[0] = 5.0, 3.0, 1.0
    (top,) = topk(row.unsqueeze(0), k=3)
    assert [p["index"] for p in top] == [281, 555, 0]
    assert [p["label"] for p in top] == ["tabby", "fire engine", "tench"]
    assert top[0]["logit"] == 5.0
    z = math.exp(5) + math.exp(3) + math.exp(1) + 997
    assert math.isclose(top[0]["prob"], math.exp(5) / z, rel_tol=1e-5)


def test_predict_per_image_and_no_grad():
    row = [0.0] * 1000
    row[7] = 2.0
    model = FixedLogits(row)
    out = predict(model, torch.rand(3, 3, 16, 16), k=5)
    assert len(out) == 3 and all(len(p) == 5 for p in out)
    assert all(p[0]["index"] == 7 for p in out)
    assert set(out[0][0]) == {"index", "label", "logit", "prob"}
    assert isinstance(out[0][0]["index"], int) and isinstance(out[0][0]["prob"], float)


def test_predict_accepts_a_single_chw_image():
    out = predict(FixedLogits([0.0] * 1000), torch.rand(3, 16, 16), k=2)
    assert len(out) == 1 and len(out[0]) == 2


def test_predict_runs_under_inference_mode():
    seen = {}

    class Probe(FixedLogits):
        def forward(self, x):
            seen["inference"] = torch.is_inference_mode_enabled()
            return super().forward(x)

    predict(Probe([0.0] * 1000), torch.rand(1, 3, 4, 4))
    assert seen["inference"]
