"""scripts/dev.sh's argument handling, through its --dry-run (nothing installed or started)."""
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "dev.sh"


def dev(*args):
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_the_script_parses():
    assert subprocess.run(["bash", "-n", str(SCRIPT)]).returncode == 0


def test_xvfb_starts_a_virtual_display_and_vnc_sized_like_the_window():
    out = dev("app", "--xvfb", "--vnc-port", "5901", "--dry-run", "--size", "1024x768", "--kiosk")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "[dry-run] setup skipped" in lines[0]
    xvfb = next(l for l in lines if l.startswith("[dry-run] Xvfb"))
    assert "-screen 0 1024x768x24" in xvfb and "-nolisten tcp" in xvfb
    display = xvfb.split()[2]
    vnc = next(l for l in lines if l.startswith("[dry-run] x11vnc"))
    assert f"-display {display}" in vnc and "-rfbport 5901" in vnc and "-localhost" in vnc
    app = lines[-1]
    assert app.endswith("perturber --size 1024x768 --kiosk") and "--xvfb" not in app
    assert "--dry-run" not in out.stdout.replace("[dry-run]", "")


@pytest.mark.parametrize("args, message", [
    (("app", "--vnc-port", "80", "--dry-run"), "--vnc-port needs a port number"),
    (("app", "--vnc-port", "--dry-run"), "--vnc-port needs a port number"),
    (("app", "--xvfb", "--size", "big", "--dry-run"), "--size needs WxH"),
    (("bogus",), "usage:"),
])
def test_bad_arguments_stop_before_anything_runs(args, message):
    out = dev(*args)
    assert out.returncode == 2 and message in out.stderr
    assert "[setup]" not in out.stdout and "[xvfb]" not in out.stdout


def test_without_xvfb_a_dry_run_says_what_the_app_would_do():
    out = dev("app", "--dry-run")
    assert out.returncode == 0 and "no --xvfb" in out.stdout
