#!/usr/bin/env bash
# Make the feature visualisations that ship with Perturber (nets/featvis/shipped/), with
# `perturber featvis` at the app's settings (128 px, 256 steps, seed 0), so the app shows
# them at once on a fresh install. Resumable: what is there is skipped.
#
#   bash scripts/ship-featvis.sh                         # what ships (below)
#   bash scripts/ship-featvis.sh classes [MODELS [OBJECTS]]
#   bash scripts/ship-featvis.sh groups [MODELS]
#
# classes: the class visualisations of the top-5 classes each model gives each end
#   (overall_morph 0 and 1) of each object, seen from the object's preferred camera on
#   the default background (`perturber predict`); MODELS default: the two default models;
#   OBJECTS default: dog_cat,truck_car.
# groups: the channel visualisations of the neuron groups (dog, cat, fire truck, race car)
#   in the model's default layer: the first 4 channels of each (the app's default # of
#   Neurons); MODELS default: the two default models. The groups come from
#   cache/neuron-groups/ (computed there first when missing).
# What ships: classes of the default models on both objects and of the bundled robust
# variants on dog_cat, groups of the default models (tests/game/tools/featvis/test_shipped.py
# checks it). Each picture takes 15-60 s; they run one at a time under `nice -n 19`.
set -euo pipefail
cd "$(dirname "$0")/.."
PERTURBER=${PERTURBER:-.venv/bin/perturber}
PY=${PYTHON:-.venv/bin/python}
SHIPPED=nets/featvis/shipped
DEFAULT_MODELS=mobilenet_v2,efficientnet_lite0
export EGL_PLATFORM=${EGL_PLATFORM:-surfaceless}

run() { nice -n 19 "$PERTURBER" "$@"; }

top_classes() {  # MODELS OBJECT MORPH -> "model class" lines
    run predict --object "$2" --set overall_morph="$3" --models "$1" --top 5 --json \
        --backend torch |
        "$PY" -c 'import json, sys
for model, top in json.load(sys.stdin)["predictions"].items():
    for entry in top:
        print(model, entry["index"])'
}

classes() {  # [MODELS [OBJECTS]]
    local models=${1:-$DEFAULT_MODELS}
    local objects=${2:-dog_cat,truck_car} todo="" object morph model class
    for object in ${objects//,/ }; do
        for morph in 0 1; do
            todo+=$(top_classes "$models" "$object" "$morph")$'\n'
        done
    done
    sort -u <<<"$todo" | while read -r model class; do
        [ -z "$model" ] || run featvis --model "$model" --class "$class" --cache "$SHIPPED" </dev/null
    done
}

groups() {  # [MODELS]
    local models=${1:-$DEFAULT_MODELS} model
    for model in ${models//,/ }; do
        run featvis --model "$model" --groups --cache "$SHIPPED"
    done
}

case ${1:-all} in
    classes) classes "${@:2}" ;;
    groups) groups "${@:2}" ;;
    all) classes; classes mobilenet_v2_adv,mobilenet_v2_stylized dog_cat; groups ;;
    *) echo "usage: $0 [classes [MODELS [OBJECTS]] | groups [MODELS]]" >&2; exit 2 ;;
esac
