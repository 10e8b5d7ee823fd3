"""PGD under L2 and Linf on tiny exact models: size, direction, ball, range, refusals."""
import math

import pytest
import torch

from nets.attacks import PGDL2, PGDLinf, AttackError, madry_step, make_attack
from tests.nets.attacks.conftest import ChannelMeans, grey

NORMS = ("l2", "linf")


def norms(delta):
    flat = delta.flatten(1)
    return flat.norm(p=2, dim=1), flat.abs().max(dim=1).values


def test_factory_picks_the_norm_and_step_size_is_an_eighth_of_eps(means):
    assert type(make_attack(means, "l2", 1.0)) is PGDL2
    assert type(make_attack(means, "LINF", 1.0)) is PGDLinf
    assert make_attack(means, "l2", 0.8).step_size == pytest.approx(0.1)


def test_one_l2_step_moves_exactly_eps_over_8(means):
    attack = make_attack(means, "l2", 0.8)
    attack.start(grey())
    attack.step()
    l2, _ = norms(attack.perturbation)
    assert l2.item() == pytest.approx(0.1, abs=1e-6)
    assert attack.steps_done == 1


def test_one_linf_step_moves_every_value_by_eps_over_8(means):
    attack = make_attack(means, "linf", 0.08)
    attack.start(grey())
    attack.step()
    # every pixel of every channel has a non-zero gradient in this model
    assert torch.allclose(attack.perturbation.abs(), torch.full((1, 3, 8, 8), 0.01), atol=1e-7)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("target", [None, 3])
def test_steps_never_leave_the_eps_ball_nor_0_1(mixer, norm, target):
    torch.manual_seed(1)
    images = torch.rand(4, 3, 8, 8)
    images[0] = 0.0            # saturated images: the [0, 1] clamp must bite
    images[1] = 1.0
    eps = 0.5 if norm == "l2" else 0.05
    attack = make_attack(mixer, norm, eps, target)
    attack.start(images)
    for _ in range(20):
        adv = attack.step()
        assert adv.min() >= 0.0 and adv.max() <= 1.0
        l2, linf = norms(attack.perturbation)
        if norm == "l2":
            assert (l2 <= eps * (1 + 1e-5)).all(), l2
        else:
            assert (linf <= eps + 1e-7).all(), linf
    # 20 steps of eps/8 reach the border of the ball for the unsaturated images
    # (L2: minus what the [0, 1] clamp cut off at pixels near 0 or 1)
    l2, linf = norms(attack.perturbation)
    reached = l2[2:] if norm == "l2" else linf[2:]
    assert (reached >= eps * 0.99).all(), reached


@pytest.mark.parametrize("norm", NORMS)
def test_targeted_steps_raise_the_target_logit(means, norm):
    attack = make_attack(means, norm, 0.8 if norm == "l2" else 0.2, target=0)
    attack.start(grey())
    assert attack.original_class.item() == 2  # logits 1.0, 1.5, 2.5 on grey
    previous = means(attack.adversarial)[0]
    for _ in range(4):
        logits = means(attack.step())[0]
        assert logits[0] > previous[0] + 1e-4
        assert logits[1] < previous[1] and logits[2] < previous[2]  # the others go down
        previous = logits


@pytest.mark.parametrize("norm", NORMS)
def test_untargeted_steps_lower_the_original_class_logit(means, norm):
    attack = make_attack(means, norm, 0.8 if norm == "l2" else 0.2)
    attack.start(grey())
    original = attack.original_class.item()
    previous = means(attack.adversarial)[0, original]
    for _ in range(4):
        now = means(attack.step())[0, original]
        assert now < previous - 1e-4
        previous = now


def test_a_batch_attacks_each_image_as_if_alone(mixer):
    torch.manual_seed(2)
    images = torch.rand(3, 3, 8, 8)
    batch = make_attack(mixer, "l2", 0.7).run(images, steps=5)
    for i in range(3):
        alone = make_attack(mixer, "l2", 0.7).run(images[i], steps=5)
        assert torch.allclose(batch[i], alone[0], atol=1e-6)


@pytest.mark.parametrize("eps", [-0.1, float("nan"), float("inf"), -float("inf"), "abc", None])
def test_bad_eps_is_refused_with_a_clear_error(means, eps):
    with pytest.raises(AttackError, match="eps"):
        make_attack(means, "l2", eps)


def test_bad_norm_target_and_images_are_refused(means):
    with pytest.raises(AttackError, match="norm"):
        make_attack(means, "l1", 1.0)
    for target in (-1, 2.5, "cat", True):
        with pytest.raises(AttackError, match="target"):
            make_attack(means, "l2", 1.0, target)
    with pytest.raises(AttackError, match="not a class"):
        make_attack(means, "l2", 1.0, target=3).start(grey())  # the model has 3 classes
    with pytest.raises(AttackError, match=r"\[0, 1\]"):
        make_attack(means, "l2", 1.0).start(grey() * 3)
    with pytest.raises(AttackError, match="shape"):
        make_attack(means, "l2", 1.0).start(torch.zeros(8, 8))
    with pytest.raises(RuntimeError, match="start"):
        make_attack(means, "l2", 1.0).step()
    assert make_attack(means, "l2", 1.0, target="7").target == 7


def test_eps_zero_and_a_zero_gradient_leave_the_image_alone(means):
    attack = make_attack(means, "l2", 0.0)
    attack.start(grey())
    attack.step()
    assert torch.equal(attack.adversarial, attack.clean)
    flat = ChannelMeans(w=(0.0, 0.0, 0.0), b=(0.0, 0.0, 0.0))  # every gradient is zero
    for norm in NORMS:
        attack = make_attack(flat, norm, 1.0)
        attack.start(grey())
        attack.step()
        assert torch.isfinite(attack.adversarial).all()
        assert torch.equal(attack.adversarial, attack.clean)


@pytest.mark.parametrize("norm", NORMS)
def test_model_mode_restored_and_parameters_untouched(norm):
    model = ChannelMeans().train()  # a model someone left in train mode
    attack = make_attack(model, norm, 1.0)
    attack.start(grey())
    attack.step()
    assert model.training  # restored
    assert model.modes_seen and not any(model.modes_seen)  # every pass ran in eval mode
    for p in model.parameters():
        assert p.requires_grad is False and p.grad is None
    trainable = ChannelMeans().requires_grad_(True).eval()
    make_attack(trainable, norm, 1.0).run(grey(), steps=2)
    assert all(p.grad is None and p.requires_grad for p in trainable.parameters())
    assert not trainable.training


def test_clean_and_last_logits_are_recorded(means):
    attack = make_attack(means, "linf", 0.1)
    attack.start(grey(batch=2))
    assert attack.clean_logits.shape == (2, 3)
    assert torch.equal(attack.original_class, torch.tensor([2, 2]))
    attack.step()
    assert torch.allclose(attack.last_logits, attack.clean_logits)  # the input of step 1
    assert math.isclose(attack.step_size, 0.0125)


def test_a_given_step_size_replaces_eps_over_8(means):
    attack = make_attack(means, "l2", 0.8, step=madry_step(0.8, 10))
    assert attack.step_size == pytest.approx(0.2)
    attack.start(grey())
    attack.step()
    assert norms(attack.perturbation)[0].item() == pytest.approx(0.2, abs=1e-6)
    with pytest.raises(AttackError, match="step"):
        make_attack(means, "l2", 0.8, step=-1)


def test_given_labels_are_moved_away_from_without_a_clean_forward_pass(means):
    attack = make_attack(means, "l2", 0.8).start(grey(batch=2), labels=torch.tensor([0, 1]))
    assert means.modes_seen == [] and attack.clean_logits is None
    attack.step()
    assert torch.allclose(attack.clean_logits, means(grey(batch=2)))  # step 1 saw the clean image
    assert (attack.adversarial[0, 0] < 0.5).all() and (attack.adversarial[1, 1] < 0.5).all()
    with pytest.raises(AttackError, match="untargeted"):
        make_attack(means, "l2", 0.8, target=2).start(grey(), labels=torch.tensor([0]))
    with pytest.raises(AttackError, match="2 class indices"):
        make_attack(means, "l2", 0.8).start(grey(batch=2), labels=torch.tensor([0.0, 1.0]))
