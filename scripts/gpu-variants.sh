#!/usr/bin/env bash
# Train the robust variants on a GPU machine that has python3 + torch + torchvision +
# safetensors + numpy + Pillow (no Panda3D needed): four runs side by side on one GPU.
#
#   bash scripts/gpu-variants.sh PACK TEACHER OUTDIR [SECONDS]
#
# PACK: from `perturber train-pack --seeds 0,1 --quality 74 --out PACK`;
# TEACHER: the standard MobileNetV2 weights file (`perturber models` shows its path).
# Runs (docs/robust-variants.md says why these):
#   adv_cw1   Adv. Trained, clean-distillation weight 1
#   adv_cw3   Adv. Trained, clean-distillation weight 3
#   sty_cw05  Stylized, clean weight 0.5
#   sty_cw0   Stylized, clean weight 0 (texture-swapped images only, for renders)
# OUTDIR gets each run's final weights and its checkpoint at 25 % of the budget
# (sty_cw0: final only), each with its state file, the runs' logs, and runs.txt (the
# runs' records and logs, appended by every call).
# Resumes by default: a run whose state files are in OUTDIR continues from the newest
# one where its schedule stood (give the same PACK and BUDGET). STOP_AFTER=S ends every
# run after S seconds (a GPU slot shorter than the budget; call again in the next slot);
# FRESH=1 starts every run from the teacher again.
# INIT=WEIGHTS starts every new run from that .safetensors weights file (e.g. a bundled
# variant, nets/weights/mobilenet_v2_adv.safetensors) instead of the teacher's weights;
# the teacher still labels. A run that resumes continues its own weights (its log says so).
set -u
PACK=${1:?pack file}; TEACHER=${2:?teacher weights}; OUTDIR=${3:?output folder}; BUDGET=${4:-330}
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=4
mkdir -p "$OUTDIR"
nvidia-smi -L 2>/dev/null || true
"$PY" -c "import torch, torchvision; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'cuda', torch.cuda.is_available())"

# DEVICE / EXTRA (more options for every run) exist for a smoke test on a CPU
common=(--pack "$PACK" --teacher "$TEACHER" --seconds "$BUDGET" --device "${DEVICE:-cuda}" --lr 1.5e-4
        --out "$OUTDIR" ${STOP_AFTER:+--stop-after "$STOP_AFTER"} ${FRESH:+--fresh}
        ${INIT:+--init "$INIT"} ${EXTRA:-})
run() {  # name, args...
    local name=$1; shift
    "$PY" -m nets.training.batched "${common[@]}" --name "$name" "$@" >>"$OUTDIR/$name.log" 2>&1 &
}
run adv_cw1 --variant adv --clean-weight 1 --checkpoints 0.25
run adv_cw3 --variant adv --clean-weight 3 --checkpoints 0.25
run sty_cw05 --variant stylized --clean-weight 0.5 --checkpoints 0.25
run sty_cw0 --variant stylized --clean-weight 0 --checkpoints ""
while sleep 30; do
    jobs -r | grep -q . || break
    nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader 2>/dev/null
    tail -qn1 "$OUTDIR"/*.log
done
wait

for name in adv_cw1 adv_cw3 sty_cw05 sty_cw0; do
    {
        echo "=== $name: record"; cat "$OUTDIR/$name.json" 2>/dev/null
        echo "=== $name: log"; cat "$OUTDIR/$name.log"
    } >>"$OUTDIR/runs.txt"
    echo "--- $name"; tail -n 4 "$OUTDIR/$name.log"
done
ls -la "$OUTDIR"
