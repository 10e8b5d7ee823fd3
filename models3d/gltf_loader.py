"""glTF / GLB through Panda3D's assimp plugin -> plain arrays (world space, z up).

All meshes of the file are merged; the first base-colour texture found is returned
as an image. glTF is Y-up; Panda3D's loader converts it to Z-up.

assimp aborts or segfaults on some malformed files (an index past the vertices, an
accessor longer than its buffer, a node cycle, deeply nested JSON), so ``load_gltf``
parses in a child process (``python -m models3d.gltf_loader FILE OUT.npz``): a crash or
a hang there becomes an ``AssetError`` and the app goes on. The arrays come back in an
``.npz`` read with ``allow_pickle=False``.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from models3d.mesh import AssetError

MAX_FILE_BYTES = 300_000_000
MAX_VERTICES = 6_000_000
MAX_TEXTURE_SIDE = 8192
TIMEOUT_S = 60.0
CHILD_MEMORY_BYTES = 6 << 30  # address-space cap of the child: a memory bomb fails there
_EXIT_ASSET_ERROR = 3
_ARRAYS = ("positions", "uvs", "normals", "indices", "image")


def load_gltf(path: Path, timeout_s: float = TIMEOUT_S):
    """(positions, uvs, normals or None, indices, base-colour image or None) of ``path``."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise AssetError(f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    with tempfile.TemporaryDirectory(prefix="perturber-gltf-") as tmp:
        out = Path(tmp) / "mesh.npz"
        cmd = [sys.executable, "-m", "models3d.gltf_loader", str(path.resolve()), str(out)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]))
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, env=env,
                                  preexec_fn=_limit_memory)
        except subprocess.TimeoutExpired:
            raise AssetError(f"{path.name}: the glTF importer did not finish within "
                             f"{timeout_s:g} s (a node cycle or a huge file?)") from None
        if done.returncode == _EXIT_ASSET_ERROR:
            lines = done.stderr.strip().splitlines()
            raise AssetError(lines[-1] if lines else f"{path.name}: not a valid glTF/GLB file")
        if done.returncode != 0:
            how = (f"signal {-done.returncode}" if done.returncode < 0
                   else f"exit status {done.returncode}")
            raise AssetError(f"{path.name}: the glTF importer crashed on this file ({how}); "
                             "it is malformed or uses something the importer cannot read")
        with np.load(out, allow_pickle=False) as data:
            arrays = {k: data[k] if k in data.files else None for k in _ARRAYS}
    return (arrays["positions"], arrays["uvs"], arrays["normals"], arrays["indices"],
            arrays["image"])


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))


def _main(argv: list[str]) -> int:
    """Child process: parse ``argv[0]``, write the arrays to ``argv[1]``."""
    src, out = Path(argv[0]), Path(argv[1])
    try:
        pos, uvs, nrm, idx, image = parse_in_process(src)
    except AssetError as e:
        print(e, file=sys.stderr)
        return _EXIT_ASSET_ERROR
    arrays = {"positions": pos, "uvs": uvs, "indices": idx}
    if nrm is not None:
        arrays["normals"] = nrm
    if image is not None:
        arrays["image"] = image
    np.savez(out, **arrays)
    return 0


def parse_in_process(path: Path):
    """The parse itself, in this process: only for the child (assimp may crash it)."""
    from panda3d.core import (Filename, GeomVertexReader, Loader, LoaderOptions, NodePath,
                              TextureAttrib, loadPrcFileData)

    loadPrcFileData("perturber-assimp", "load-file-type p3assimp")
    opts = LoaderOptions(LoaderOptions.LF_no_cache | LoaderOptions.LF_report_errors)
    node = Loader.getGlobalPtr().loadSync(Filename.fromOsSpecific(str(Path(path).resolve())), opts)
    if node is None:
        raise AssetError(f"cannot load {Path(path).name}: not a valid glTF/GLB file")
    root = NodePath(node)
    positions, normals, uvs, tris = [], [], [], []
    image = None
    count = 0
    for gnp in root.findAllMatches("**/+GeomNode"):
        mat = gnp.getMat(root)
        gnode = gnp.node()
        for gi in range(gnode.getNumGeoms()):
            geom = gnode.getGeom(gi).decompose()
            vdata = geom.getVertexData()
            n = vdata.getNumRows()
            pos = _read(GeomVertexReader, vdata, "vertex", 3)
            if pos is None:
                continue
            pos = np.array([tuple(mat.xformPoint(tuple(p))) for p in pos], np.float32)
            nrm = _read(GeomVertexReader, vdata, "normal", 3)
            if nrm is not None:
                nrm = np.array([tuple(mat.xformVec(tuple(v))) for v in nrm], np.float32)
            uv = _read(GeomVertexReader, vdata, "texcoord", 2)
            for prim in (geom.getPrimitive(k) for k in range(geom.getNumPrimitives())):
                idx = np.array([prim.getVertex(i) for i in range(prim.getNumVertices())], np.int64)
                tris.append(idx.reshape(-1, 3) + count)
            positions.append(pos)
            normals.append(nrm if nrm is not None else np.zeros((n, 3), np.float32))
            uvs.append(uv if uv is not None else np.zeros((n, 2), np.float32))
            count += n
            if image is None:
                image = _texture_image(gnode.getGeomState(gi), TextureAttrib)
    if not tris:
        raise AssetError(f"{Path(path).name} contains no triangle meshes")
    tris = np.concatenate(tris)
    if count > MAX_VERTICES:
        raise AssetError(f"{Path(path).name} has more than {MAX_VERTICES} vertices")
    if tris.size and (tris.min() < 0 or tris.max() >= count):
        raise AssetError(f"{Path(path).name}: a triangle index points past the vertices")
    nrm = np.concatenate(normals)
    has_normals = bool(np.abs(nrm).sum(1).all())
    return (np.concatenate(positions), np.concatenate(uvs), nrm if has_normals else None,
            tris.astype(np.uint32), image)


def _read(reader_cls, vdata, column: str, width: int):
    if not vdata.hasColumn(column):
        return None
    r = reader_cls(vdata, column)
    rows = []
    while not r.isAtEnd():
        rows.append(tuple(r.getData3f() if width == 3 else r.getData2f()))
    return np.array(rows, np.float32)


def _texture_image(state, TextureAttrib):
    from panda3d.core import PNMImage

    attrib = state.getAttrib(TextureAttrib)
    if attrib is None or attrib.getNumOnStages() == 0:
        return None
    tex = attrib.getOnTexture(attrib.getOnStage(0))
    img = PNMImage()
    if not tex.store(img):
        return None
    h, w = img.getReadYSize(), img.getReadXSize()
    if max(w, h) > MAX_TEXTURE_SIDE:
        raise AssetError(f"the file's texture is {w}x{h}: too large (max {MAX_TEXTURE_SIDE} a side)")
    arr = np.array([[img.getXel(x, y) for x in range(w)] for y in range(h)], np.float32)
    side = 1 << int(np.ceil(np.log2(max(w, h, 4))))
    from PIL import Image

    pil = Image.fromarray((arr * 255).clip(0, 255).astype(np.uint8)).resize((side, side))
    return np.asarray(pil, np.uint8)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
