import math

import torch
from torch import nn

from nets.attacks import madry_step, make_attack
from nets.training import metrics


def test_constant_perturbation_is_all_low_frequency():
    delta = torch.full((2, 3, 32, 32), 0.3)
    for cutoff in (0.01, 0.125, 0.5):
        assert abs(metrics.low_frequency_share(delta, cutoff) - 1.0) < 1e-9


def test_white_noise_share_is_the_area_fraction():
    torch.manual_seed(0)
    noise = torch.randn(8, 3, 64, 64)
    for cutoff in (0.125, 0.25, 0.5):
        expected = math.pi * cutoff ** 2 / 4
        assert abs(metrics.low_frequency_share(noise, cutoff) - expected) < 0.25 * expected + 0.003


def test_nyquist_checkerboard_is_high_frequency():
    y, x = torch.meshgrid(torch.arange(16), torch.arange(16), indexing="ij")
    board = ((x + y) % 2).float()[None].repeat(3, 1, 1) - 0.5
    assert metrics.low_frequency_share(board, 0.9) == 0.0


def test_shape_bias_of_a_texture_blind_model_is_one():
    sets = {"dog": {1, 2}, "cat": {5}}
    # a model that ignores texture answers with the shape's class every time
    preds = torch.tensor([5, 1, 5, 2])
    shapes, textures = ["cat", "dog", "cat", "dog"], ["dog", "cat", "dog", "cat"]
    r = metrics.shape_bias(preds, shapes, textures, sets)
    assert r["shape_bias"] == 1.0 and r["shape"] == 4 and r["other"] == 0
    r = metrics.shape_bias(torch.tensor([1, 5, 9, 9]), shapes, textures, sets)
    assert r["shape_bias"] == 0.0 and r["texture"] == 2 and r["other"] == 2


def test_no_cue_conflict_images_give_no_shape_bias():
    """``evaluate --cue 0``: no images, no decisions, a nan bias (not an error at the end)."""
    preds = metrics.predict(Linear2(), torch.zeros(0, 3, 8, 8))
    assert preds.shape == (0,) and preds.dtype == torch.long
    r = metrics.shape_bias(preds, [], [], {"dog": {0}})
    assert math.isnan(r["shape_bias"]) and r["shape"] == r["texture"] == r["other"] == 0


class Linear2(nn.Module):
    """logits = (mean of the image, -mean): the label flips when the mean crosses 0."""

    def forward(self, x):
        m = x.mean((1, 2, 3)) - 0.5
        return torch.stack([m, -m], 1)


def test_pgd_stays_in_the_ball_and_in_range():
    torch.manual_seed(0)
    x = torch.rand(4, 3, 8, 8)
    for norm, eps in (("l2", 0.5), ("linf", 4 / 255)):
        attack = make_attack(Linear2(), norm, eps, step=madry_step(eps, 10))
        adv = attack.run(x, 10, torch.zeros(4, dtype=torch.long))
        d = adv - x
        size = d.flatten(1).norm(dim=1) if norm == "l2" else d.flatten(1).abs().amax(1)
        assert float(size.max()) <= eps + 1e-5
        assert float(adv.min()) >= 0 and float(adv.max()) <= 1


def test_pgd_breaks_a_weak_model_and_agreement_counts_it():
    x = torch.full((2, 3, 8, 8), 0.52)      # mean just above 0.5: label 0
    labels = torch.zeros(2, dtype=torch.long)
    assert metrics.agreement(Linear2(), x, labels) == 1.0
    kept, deltas = metrics.robust_agreement(Linear2(), x, labels, 1.0, 10, "l2")
    assert kept == 0.0 and deltas.shape == x.shape
    kept, _ = metrics.robust_agreement(Linear2(), x, labels, 0.01, 10, "l2")
    assert kept == 1.0


def test_topk_agreement():
    class Fixed(nn.Module):
        def forward(self, x):
            return torch.tensor([[3.0, 2.0, 1.0, 0.0]]).repeat(len(x), 1)

    x = torch.zeros(2, 3, 4, 4)
    assert metrics.topk_agreement(Fixed(), x, torch.tensor([1, 3]), k=2) == 0.5


def test_label_stability_and_confidence():
    import torch

    from nets.training import metrics

    class Const(torch.nn.Module):   # ignores its input: always class 3, p = softmax of fixed logits
        def forward(self, x):
            return torch.tensor([[0.0, 0.0, 0.0, 2.0]]).expand(len(x), -1)

    class Brightest(torch.nn.Module):  # the brightest of four quadrants: mirroring swaps classes
        def forward(self, x):
            h, w = x.shape[-2] // 2, x.shape[-1] // 2
            q = [x[..., :h, :w], x[..., :h, w:], x[..., h:, :w], x[..., h:, w:]]
            return torch.stack([t.mean((1, 2, 3)) for t in q], 1) * 100

    images = torch.rand(6, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    assert metrics.label_stability(Const(), images) == {"mirror": 1.0, "jpeg75": 1.0, "crop90": 1.0}
    p = metrics.confidence(Const(), images)
    assert torch.allclose(p, torch.full((6,), float(torch.tensor([0, 0, 0, 2.0]).softmax(0)[3])))
    left = torch.zeros(4, 3, 32, 32)
    left[..., :16, :16] = 1   # top-left brightest: class 0, mirrored: class 1
    assert metrics.label_stability(Brightest(), left)["mirror"] == 0.0


def test_stopping_once_every_label_flipped_keeps_the_counts():
    torch.manual_seed(0)
    x = 0.5 + 0.04 * torch.rand(8, 3, 8, 8)       # means a little above 0.5: label 0
    labels = torch.zeros(8, dtype=torch.long)
    for eps in (0.05, 0.5, 5.0):
        full, _ = metrics.robust_agreement(Linear2(), x, labels, eps, 10, "l2")
        stopped, _ = metrics.robust_agreement(Linear2(), x, labels, eps, 10, "l2",
                                              stop_when_broken=True)
        assert full == stopped


class Fixed(nn.Module):
    """The same logits for every image."""

    def __init__(self, logits):
        super().__init__()
        self.logits = torch.tensor(logits)

    def forward(self, x):
        return self.logits.repeat(len(x), 1)


def test_topk_overlap_counts_shared_classes():
    x = torch.zeros(2, 3, 4, 4)
    reference = torch.tensor([[0, 1], [3, 2]])
    assert metrics.topk_overlap(Fixed([3.0, 2.0, 1.0, 0.0]), x, reference) == 0.5  # {0,1}: 1 of 2; {3,2}: 0
    assert metrics.topk_overlap(Fixed([0.0, 1.0, 2.0, 3.0]), x, reference) == 0.5


def test_superclass_hits_use_each_images_own_set():
    sets = {"low": (0, 1), "high": (3,)}
    masks = metrics.class_set_masks(["low", "high", "high"], sets, classes=4)
    assert masks.tolist()[0] == [True, True, False, False]
    assert metrics.in_set(Fixed([0.0, 2.0, 1.0, 0.5]), torch.zeros(3, 3, 4, 4), masks).tolist() == \
        [True, False, False]


def test_set_score_is_minus_log_p_of_the_set():
    logits = torch.randn(5, 6, generator=torch.Generator().manual_seed(0))
    masks = torch.zeros(5, 6, dtype=torch.bool)
    masks[:, :2] = True
    score = metrics.SetScore(lambda x: logits, masks)(torch.zeros(5, 3, 2, 2))
    loss = torch.nn.functional.cross_entropy(score, torch.zeros(5, dtype=torch.long), reduction="none")
    assert torch.allclose(loss, -logits.softmax(1)[:, :2].sum(1).log(), atol=1e-6)


class TwoBreeds(nn.Module):
    """Classes 0 and 1 are a superclass (the image's mean m above 0.5 picks it), the
    difference d of the first two channels picks the breed; class 2 is everything else."""

    def forward(self, x):
        m = x.mean((1, 2, 3)) - 0.5
        d = x[:, 0].mean((1, 2)) - x[:, 1].mean((1, 2))
        return torch.stack([10 * m + 5 * d, 10 * m - 5 * d, torch.zeros_like(m)], 1)


def test_an_attack_on_the_set_is_needed_to_leave_it():
    x = torch.full((1, 3, 8, 8), 0.52)
    x[:, 0] += 0.01                                  # class 0, a breed of the superclass
    masks = metrics.class_set_masks(["pair"], {"pair": (0, 1)}, classes=3)
    label = torch.zeros(1, dtype=torch.long)
    # a small attack flips the breed but never leaves the set
    assert not metrics.kept_under_attack(TwoBreeds(), x, label, 0.2, 10, "l2")[0]
    assert metrics.kept_in_set(TwoBreeds(), x, masks, 0.2, 10, "l2")[0]
    # a large one on -log p(set) leaves it
    assert not metrics.kept_in_set(TwoBreeds(), x, masks, 2.0, 10, "l2")[0]


def test_nested_robustness_never_attacks_an_image_already_broken():
    threshold = torch.tensor([0.1, 0.3, 9.0, 9.0])   # each image breaks at radii >= this
    calls = []

    def kept(indices, eps, steps):
        calls.append((indices.tolist(), eps, steps))
        return (threshold[indices] > eps) & ~((indices == 3) & (steps >= 50))   # 3: only long attacks

    found = metrics.nested_robustness(kept, torch.ones(4, dtype=torch.bool), [0.5, 0.2], [50, 10])
    assert found[(0.2, 10)].tolist() == [False, True, True, True]
    assert found[(0.2, 50)].tolist() == [False, True, True, False]
    assert found[(0.5, 10)].tolist() == [False, False, True, True]
    assert found[(0.5, 50)].tolist() == [False, False, True, False]
    assert calls == [([0, 1, 2, 3], 0.2, 10), ([1, 2, 3], 0.2, 50), ([1, 2, 3], 0.5, 10),
                     ([2], 0.5, 50)]


def test_amplified_perturbations_fill_the_image_range():
    d = torch.zeros(2, 3, 4, 4)
    d[0, 0, 0, 0], d[0, 1, 1, 1] = 0.01, -0.03
    a = metrics.amplified(d)
    assert float(a[0].min()) == 0.0 and float(a[0].max()) == 1.0
    assert float(a[0, 2, 3, 3]) == 0.75      # zero lies 3/4 of the way up
    assert torch.equal(a[1], torch.full((3, 4, 4), 0.5))


def test_seen_in_perturbation_asks_the_viewer():
    class Brightest(nn.Module):   # class = the brightest of four quadrants
        def forward(self, x):
            h, w = x.shape[-2] // 2, x.shape[-1] // 2
            q = [x[..., :h, :w], x[..., :h, w:], x[..., h:, :w], x[..., h:, w:]]
            return torch.stack([t.mean((1, 2, 3)) for t in q], 1)

    d = torch.zeros(2, 3, 8, 8)
    d[..., :4, :4] = 1e-3                              # a faint top-left bump: class 0 when amplified
    seen = metrics.seen_in_perturbation(Brightest(), d, torch.tensor([0, 3]))
    assert seen == {"top1": 0.5, "top5": 1.0, "images": 2}
    assert metrics.seen_in_perturbation(Brightest(), d[:0], torch.tensor([]))["images"] == 0


def test_attacks_leave_the_models_mode_and_statistics_alone():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.AdaptiveAvgPool2d(1),
                          nn.Flatten(), nn.Linear(4, 3)).eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.rand(4, 3, 8, 8)
    masks = metrics.class_set_masks(["a"] * 4, {"a": (0, 1)}, classes=3)
    metrics.kept_in_set(model, x, masks, 0.5, 3, "l2")
    metrics.kept_under_attack(model, x, torch.zeros(4, dtype=torch.long), 0.5, 3, "linf")
    assert not model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
