"""Architecture rules: nets/ is pure torch; GLSL lives only in shaders/."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_NETS = {"panda3d", "direct", "game", "ui", "models3d"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_nets_never_imports_panda3d_game_or_ui():
    files = list((ROOT / "nets").rglob("*.py"))
    assert files, "nets/ is missing"
    for f in files:
        bad = imported_roots(f) & FORBIDDEN_IN_NETS
        assert not bad, f"{f.relative_to(ROOT)} imports {sorted(bad)}"


def test_params_model_has_no_gui_or_panda_imports():
    assert not imported_roots(ROOT / "game" / "params.py") & {"panda3d", "direct", "ui"}


def test_glsl_only_in_shaders():
    for f in ROOT.glob("*/**/*.py"):
        if ".venv" in f.parts:
            continue
        assert not re.search(r"#version\s+\d{3}", f.read_text()), f"GLSL source in {f}"
    for f in ROOT.rglob("*.glsl"):
        if ".venv" not in f.parts:
            assert f.parent.name == "shaders", f"shader outside shaders/: {f}"


def test_one_shader_file_per_post_effect():
    shaders = {p.name for p in (ROOT / "shaders").glob("*.glsl")}
    for effect in ("alpha", "hue", "saturation", "custom", "patch_shuffle", "blur",
                   "freq_split", "freq_combine"):
        assert f"{effect}.frag.glsl" in shaders
