"""Natural photos that ship with scikit-image, as classifier input (1, 3, 224, 224) in [0, 1]."""
import torch
import torch.nn.functional as F
from skimage import data

CAT_CLASSES = {281, 282, 283, 284, 285}       # tabby, tiger cat, Persian, Siamese, Egyptian cat
COFFEE_CLASSES = {967, 968, 504}               # espresso, cup, coffee mug


def photo(name: str, size: int = 224) -> torch.Tensor:
    """The whole photo resized (not cropped) to size x size."""
    image = torch.from_numpy(getattr(data, name)()).permute(2, 0, 1).float().div(255)
    return F.interpolate(image[None], size=(size, size), mode="bilinear", antialias=True,
                         align_corners=False).clamp(0, 1)


def crops(name: str, n: int, seed: int = 0, size: int = 224) -> torch.Tensor:
    """``n`` random square crops (55-100 % of the short side), half of them mirrored."""
    g = torch.Generator().manual_seed(seed)
    image = torch.from_numpy(getattr(data, name)()).permute(2, 0, 1).float().div(255)
    h, w = image.shape[1:]
    out = []
    for _ in range(n):
        s = int(min(h, w) * (0.55 + 0.45 * torch.rand(1, generator=g).item()))
        y = int(torch.randint(0, h - s + 1, (1,), generator=g))
        x = int(torch.randint(0, w - s + 1, (1,), generator=g))
        crop = image[:, y:y + s, x:x + s]
        if torch.rand(1, generator=g).item() < 0.5:
            crop = crop.flip(-1)
        out.append(F.interpolate(crop[None], size=(size, size), mode="bilinear", antialias=True))
    return torch.cat(out).clamp(0, 1)
