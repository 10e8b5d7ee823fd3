"""glTF / GLB through Panda3D's assimp plugin -> plain arrays (world space, z up).

All meshes of the file are merged; the first base-colour texture found is returned
as an image. glTF is Y-up; Panda3D's loader converts it to Z-up.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from models3d.mesh import AssetError


def load_gltf(path: Path):
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
    nrm = np.concatenate(normals)
    has_normals = bool(np.abs(nrm).sum(1).all())
    return (np.concatenate(positions), np.concatenate(uvs), nrm if has_normals else None,
            np.concatenate(tris).astype(np.uint32), image)


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
    arr = np.array([[img.getXel(x, y) for x in range(w)] for y in range(h)], np.float32)
    side = 1 << int(np.ceil(np.log2(max(w, h, 4))))
    from PIL import Image

    pil = Image.fromarray((arr * 255).clip(0, 255).astype(np.uint8)).resize((side, side))
    return np.asarray(pil, np.uint8)
