"""Architecture rules, checked on every module's imports (lazy ones included).

The layers, lowest first; a module may import its own layer and the ones below it:

    nets        pure torch: no panda3d/direct, no game, ui or models3d
    models3d    meshes and textures: no game, no ui
    game.core   the parameter model, result types, texture conversion, frame stages
    ui          DirectGUI views: of the project only game.core (never nets)
    game.render the scene, the post chain, the headless renderer
    game.batch  sweeps, experiments, training data (headless jobs)
    game.app    live-app services: inference engine, model slots, input, memory, soak
    game.tools  the app's tools; each attaches to a ToolContext, never to the app
    game.app.root  the composition root: builds the app and attaches the tools
    game.cli    the ``perturber`` command

GLSL lives only in shaders/.
"""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["nets", "models3d", "game.core", "ui", "game.render", "game.batch", "game.app",
          "game.tools", "game.app.root", "game.cli"]
# Imports a layer may never make, whatever their rank.
FORBIDDEN = {
    "nets": {"panda3d", "direct"},
    "models3d": set(),
    "game.core": {"nets"},
    "ui": {"nets"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    """The most specific layer a dotted module name belongs to."""
    best = None
    for layer in LAYERS:
        if module == layer or module.startswith(layer + "."):
            if best is None or len(layer) > len(best):
                best = layer
    return best


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            found.add(mod)
            # "from game.app import memory" imports game.app.memory
            found |= {f"{mod}.{a.name}" for a in node.names}
    return found


def project_files():
    for top in ("nets", "models3d", "game", "ui"):
        yield from (p for p in sorted((ROOT / top).rglob("*.py")) if module_name(p) != "game")


def is_project_module(mod: str) -> bool:
    path = ROOT / mod.replace(".", "/")
    return path.with_suffix(".py").is_file() or path.is_dir()


def violations():
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    for path in project_files():
        own = layer_of(module_name(path))
        assert own is not None, f"{path.relative_to(ROOT)} belongs to no layer"
        for mod in sorted(imports(path)):
            if "." in mod and not is_project_module(mod):
                continue  # a name imported from a module, or a third-party submodule
            if mod.split(".")[0] in FORBIDDEN.get(own, set()):
                yield f"{path.relative_to(ROOT)} imports {mod}"
                continue
            target = layer_of(mod)
            if target is None:
                continue  # third-party
            if rank[target] > rank[own]:
                yield f"{path.relative_to(ROOT)} ({own}) imports {mod} ({target}): upward"


def test_every_import_goes_down_or_sideways():
    assert list(project_files()), "no sources found"
    bad = list(violations())
    assert not bad, "\n".join(bad)


def test_ui_imports_only_the_core_of_game():
    for path in sorted((ROOT / "ui").rglob("*.py")):
        for mod in imports(path):
            if mod.split(".")[0] == "game":
                assert mod == "game" or layer_of(mod) == "game.core", f"{path.name} imports {mod}"


@pytest.mark.parametrize("module,expected", [
    ("game.app.root", "game.app.root"), ("game.app.engine", "game.app"),
    ("game.tools.attack.tool", "game.tools"), ("nets.registry", "nets"), ("ui.slider", "ui"),
])
def test_layer_of(module, expected):
    assert layer_of(module) == expected


def test_params_model_has_no_gui_or_panda_imports():
    roots = {m.split(".")[0] for m in imports(ROOT / "game" / "core" / "params.py")}
    assert not roots & {"panda3d", "direct", "ui"}


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
