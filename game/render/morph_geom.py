"""MorphPair (numpy) -> a Panda3D GeomNode whose vertices carry both shapes.

Columns: vertex/normal (shape A), morph_vertex/morph_normal (shape B), texcoord.
shaders/morph.vert.glsl blends them by the `shape_morph` uniform.
"""
from __future__ import annotations

import numpy as np
from panda3d.core import (
    Geom, GeomNode, GeomTriangles, GeomVertexArrayFormat, GeomVertexData, GeomVertexFormat,
    InternalName,
)

from models3d.mesh import MorphPair


def _format() -> GeomVertexFormat:
    arr = GeomVertexArrayFormat()
    arr.addColumn(InternalName.getVertex(), 3, Geom.NT_float32, Geom.C_point)
    arr.addColumn(InternalName.getNormal(), 3, Geom.NT_float32, Geom.C_normal)
    arr.addColumn(InternalName.getTexcoord(), 2, Geom.NT_float32, Geom.C_texcoord)
    arr.addColumn(InternalName.make("morph_vertex"), 3, Geom.NT_float32, Geom.C_point)
    arr.addColumn(InternalName.make("morph_normal"), 3, Geom.NT_float32, Geom.C_normal)
    return GeomVertexFormat.registerFormat(arr)


def interleave(pair: MorphPair) -> np.ndarray:
    """The vertex buffer in the column order of ``_format`` (14 float32 per vertex)."""
    return np.ascontiguousarray(np.concatenate(
        [pair.positions_a, pair.normals_a, pair.uvs, pair.positions_b, pair.normals_b],
        axis=1, dtype=np.float32))


def build_geom_node(pair: MorphPair, name: str = "morph") -> GeomNode:
    fmt = _format()
    vdata = GeomVertexData(name, fmt, Geom.UH_static)
    data = interleave(pair)
    vdata.uncleanSetNumRows(len(data))
    memoryview(vdata.modifyArray(0)).cast("B")[:] = data.tobytes()
    prim = GeomTriangles(Geom.UH_static)
    prim.setIndexType(Geom.NT_uint32)
    handle = prim.modifyVertices()
    handle.uncleanSetNumRows(pair.indices.size)
    memoryview(handle).cast("B")[:] = np.ascontiguousarray(pair.indices, dtype=np.uint32).tobytes()
    geom = Geom(vdata)
    geom.addPrimitive(prim)
    node = GeomNode(name)
    node.addGeom(geom)
    return node
