#!/usr/bin/env bash
# The thesis' quantitative robustness experiments with the bundled standard and robust models:
# runs both, copies the plots to docs/img/ and rewrites the tables in docs/experiments.md.
#   bash scripts/experiments.sh [OUT_DIR]        (default out/experiments)
# MODELS, WORKERS and BACKEND may be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/experiments}
MODELS=${MODELS:-mobilenet_v2,mobilenet_v2_adv,mobilenet_v2_stylized,efficientnet_lite0}
BACKEND=${BACKEND:-local}
WORKERS=${WORKERS:-2}
PY=.venv/bin/python

$PY -m game.cli experiment yaw-fluctuation --models "$MODELS" --backend "$BACKEND" \
    --workers "$WORKERS" --out "$OUT"
$PY -m game.cli experiment backgrounds --models "$MODELS" --backend "$BACKEND" \
    --workers "$WORKERS" --out "$OUT"
mkdir -p docs/img
cp "$OUT/yaw_fluctuation.png" docs/img/experiment-yaw-fluctuation.png
cp "$OUT/backgrounds.png" docs/img/experiment-backgrounds.png
# the input sheets with a 64-colour palette: a fifth of the size, enough to see the scenes
$PY - "$OUT" <<'PY'
import sys
from PIL import Image
for name in ("yaw_fluctuation", "backgrounds"):
    sheet = Image.open(f"{sys.argv[1]}/{name}_inputs.png").quantize(64, method=Image.Quantize.MEDIANCUT)
    sheet.save(f"docs/img/experiment-{name.replace('_', '-')}-inputs.png", optimize=True)
PY
$PY -m game.batch.experiments.report --doc docs/experiments.md \
    "$OUT/yaw_fluctuation.json" "$OUT/backgrounds.json"
