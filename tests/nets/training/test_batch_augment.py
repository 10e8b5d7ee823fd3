import numpy as np
import torch

from nets.training import augment, batch_augment as aug


def _images(n=4, size=16):
    return torch.rand(n, 3, size, size, generator=torch.Generator().manual_seed(0))


def test_full_crop_without_flip_is_the_identity():
    x = _images()
    out = aug.crops(x, 16, scale=(1.0, 1.0), ratio=(1.0, 1.0), flip=False)
    assert torch.allclose(out, x, atol=1e-5)


def test_full_crops_are_the_image_or_its_mirror():
    x = _images(32)
    out = aug.crops(x, 16, scale=(1.0, 1.0), ratio=(1.0, 1.0), gen=torch.Generator().manual_seed(1))
    same = [(o - i).abs().max() < 1e-5 for o, i in zip(out, x)]
    mirrored = [(o - i.flip(-1)).abs().max() < 1e-5 for o, i in zip(out, x)]
    assert all(s or m for s, m in zip(same, mirrored)) and any(same) and any(mirrored)


def test_twins_stacked_on_channels_get_the_same_crop_and_colours():
    x = _images(8, 24)
    out = aug.jitter(aug.crops(torch.cat([x, x], 1), 12, gen=torch.Generator().manual_seed(2)),
                     gen=torch.Generator().manual_seed(3))
    assert out.shape == (8, 6, 12, 12)
    assert torch.equal(out[:, :3], out[:, 3:])
    assert 0 <= float(out.min()) and float(out.max()) <= 1


def test_zero_jitter_is_the_identity_and_crops_differ_per_sample():
    x = _images()
    assert torch.allclose(aug.jitter(x, 0, 0, 0), x, atol=1e-6)
    same = x[:1].expand(6, -1, -1, -1)
    out = aug.crops(same, 8, scale=(0.2, 0.5), gen=torch.Generator().manual_seed(4))
    assert len({tuple(np.round(o.flatten()[:5].tolist(), 4)) for o in out}) == 6


def test_batched_texture_randomisation_matches_the_per_image_one():
    x, t = _images(3), _images(3).flip(0)
    mix = torch.tensor([0.0, 0.6, 1.0])
    out = aug.randomise_texture(x, t, mix)
    for i in range(3):
        assert torch.allclose(out[i], augment.randomise_texture(x[i], t[i], float(mix[i])), atol=1e-5)
    assert torch.allclose(out[0], x[0], atol=1e-4)   # mix 0: the image itself
