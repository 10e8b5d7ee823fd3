"""The user's own objects: OBJ + MTL with separate diffuse/alpha textures, glTF, and
a zoo of broken or odd files that must load sensibly or fail with a clear message."""
import base64
import json
import struct

import numpy as np
import pytest
from PIL import Image

from models3d.mesh import AssetError
from models3d.user_object import load_user_object

QUAD_OBJ = """# a textured quad, written as one polygon
mtllib quad.mtl
v -1 0 -1
v 1 0 -1
v 1 0 1
v -1 0 1
vt 0 0
vt 1 0
vt 1 1
vt 0 1
vn 0 -1 0
usemtl m
f 1/1/1 2/2/1 3/3/1 4/4/1
"""


@pytest.fixture
def quad_dir(tmp_path):
    (tmp_path / "quad.obj").write_text(QUAD_OBJ)
    (tmp_path / "quad.mtl").write_text("newmtl m\nmap_Kd diffuse.png\nmap_d -bm 1 alpha.png\n")
    grey = (np.arange(300 * 200).reshape(200, 300) % 256).astype(np.uint8)
    Image.fromarray(grey, "L").save(tmp_path / "diffuse.png")  # greyscale, not square, NPOT
    alpha16 = np.zeros((64, 64), np.uint16)
    alpha16[:, 32:] = 65535
    Image.fromarray(alpha16).save(tmp_path / "alpha.png")  # 16-bit greyscale PNG
    assert Image.open(tmp_path / "alpha.png").mode.startswith("I")
    return tmp_path


def test_obj_with_mtl_diffuse_and_separate_alpha(quad_dir):
    pair = load_user_object(quad_dir / "quad.obj")
    assert len(pair.indices) == 2  # the polygon became two triangles
    assert pair.texture_a.shape == (512, 512, 3) and pair.texture_a.dtype == np.uint8
    assert pair.alpha.shape == (512, 512)
    assert pair.alpha[:, :200].max() == 0 and pair.alpha[:, 312:].min() == 255
    assert np.abs(pair.positions_a).max() == pytest.approx(0.5)  # normalised to unit size
    assert np.array_equal(pair.positions_a, pair.positions_b)
    assert pair.camera["distance"] > 0


def test_textures_named_in_the_spec_win_over_the_mtl(quad_dir):
    rgb = np.zeros((32, 32, 3), np.uint8)
    rgb[..., 0] = 200
    Image.fromarray(rgb).save(quad_dir / "red.png")
    pair = load_user_object(f"{quad_dir / 'quad.obj'}|diffuse={quad_dir / 'red.png'}")
    assert pair.texture_a.shape == (32, 32, 3) and pair.texture_a[..., 0].min() == 200


def test_obj_without_uvs_or_normals_with_ngons_and_negative_indices(tmp_path):
    text = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 0.5 0.5 1\nf -5 -4 -3 -2\nf 1 2 5\nf 2 3 5\nf 3 4 5\nf 4 1 5\n"
    (tmp_path / "pyramid.obj").write_text(text)
    pair = load_user_object(tmp_path / "pyramid.obj")
    assert len(pair.indices) == 6
    assert np.allclose(np.linalg.norm(pair.normals_a, axis=1), 1, atol=1e-5)
    assert pair.uvs.shape == (5, 2) and (pair.uvs >= 0).all() and (pair.uvs <= 1).all()
    assert pair.alpha is None and (pair.texture_a == 255).all()


@pytest.mark.parametrize("content,fragment", [
    ("this is not an obj file\n", "no faces"),
    ("v 0 0 0\nv 1 0 0\nf 1 2 3\n", "line 3: vertex index 3 is out of range"),
    ("v 0 0 zero\nf 1 1 1\n", "line 1"),
    ("v 0 0 0\nv 1 0 0\nf 1 2\n", "at least 3"),
    ("v 0 0 0\nv 0 0 0\nv 0 0 0\nf 1 2 3\n", "no extent"),
    ("v 0 0 nan\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", "non-finite"),
])
def test_broken_obj_files_fail_with_a_clear_message(tmp_path, content, fragment):
    (tmp_path / "bad.obj").write_text(content)
    with pytest.raises(AssetError, match=fragment):
        load_user_object(tmp_path / "bad.obj")


def test_binary_garbage_and_missing_files(tmp_path):
    (tmp_path / "noise.obj").write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(AssetError):
        load_user_object(tmp_path / "noise.obj")
    with pytest.raises(AssetError, match="not found"):
        load_user_object(tmp_path / "absent.obj")
    (tmp_path / "model.fbx").write_text("x")
    with pytest.raises(AssetError, match="unsupported 3D format"):
        load_user_object(tmp_path / "model.fbx")


def test_missing_or_corrupt_texture_is_named(quad_dir):
    (quad_dir / "alpha.png").write_bytes(b"not a png")
    with pytest.raises(AssetError, match="alpha.png"):
        load_user_object(quad_dir / "quad.obj")
    with pytest.raises(AssetError, match="diffuse=IMAGE"):
        load_user_object(f"{quad_dir / 'quad.obj'}|colour=x.png")


def write_triangle_gltf(path):
    pos = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)
    blob = pos.tobytes() + struct.pack("<3H", 0, 1, 2) + b"\0\0"
    doc = {
        "asset": {"version": "2.0"},
        "scenes": [{"nodes": [0]}], "scene": 0, "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "buffers": [{"byteLength": len(blob),
                     "uri": "data:application/octet-stream;base64," + base64.b64encode(blob).decode()}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": 36},
                        {"buffer": 0, "byteOffset": 36, "byteLength": 6}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
             "min": [0, 0, 0], "max": [1, 1, 0]},
            {"bufferView": 1, "componentType": 5123, "count": 3, "type": "SCALAR"}],
    }
    path.write_text(json.dumps(doc))


def test_gltf_loads_through_assimp(tmp_path):
    write_triangle_gltf(tmp_path / "tri.gltf")
    pair = load_user_object(tmp_path / "tri.gltf")
    assert len(pair.indices) == 1 and pair.positions_a.shape == (3, 3)


def test_broken_gltf_is_a_clear_error(tmp_path):
    (tmp_path / "bad.glb").write_bytes(b"glTF\x02\x00\x00\x00garbage")
    with pytest.raises(AssetError, match="bad.glb"):
        load_user_object(tmp_path / "bad.glb")


def _triangle_doc(tmp_path):
    write_triangle_gltf(tmp_path / "tri.gltf")
    return json.loads((tmp_path / "tri.gltf").read_text())


def _no_meshes(doc):
    del doc["meshes"]
    doc["nodes"] = [{}]


def _index_past_the_vertices(doc):
    pos = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)
    blob = pos.tobytes() + struct.pack("<3H", 0, 1, 9) + b"\0\0"
    doc["buffers"][0]["uri"] = "data:application/octet-stream;base64," + base64.b64encode(blob).decode()


def _count_beyond_the_buffer(doc):
    doc["accessors"][0]["count"] = 3000


def _node_cycle(doc):
    doc["nodes"] = [{"children": [1]}, {"children": [0], "mesh": 0}]


@pytest.mark.parametrize("break_it", [_no_meshes, _index_past_the_vertices,
                                      _count_beyond_the_buffer, _node_cycle])
def test_malformed_gltf_that_crashes_assimp_is_a_clear_error(tmp_path, break_it):
    doc = _triangle_doc(tmp_path)
    break_it(doc)
    bad = tmp_path / "bad.gltf"
    bad.write_text(json.dumps(doc))
    with pytest.raises(AssetError, match="bad.gltf"):
        load_user_object(bad)  # the importer's crash stays in its child process


def test_deeply_nested_gltf_json_is_a_clear_error(tmp_path):
    bad = tmp_path / "deep.gltf"
    bad.write_text('{"a":' * 200_000 + "1" + "}" * 200_000)
    with pytest.raises(AssetError, match="deep.gltf"):
        load_user_object(bad)


def test_a_hanging_import_is_stopped(tmp_path):
    from models3d import gltf_loader

    write_triangle_gltf(tmp_path / "tri.gltf")
    with pytest.raises(AssetError, match="did not finish within"):
        gltf_loader.load_gltf(tmp_path / "tri.gltf", timeout_s=0.001)


def test_an_oversized_mtl_is_refused_before_reading(tmp_path, monkeypatch):
    from models3d import obj_loader

    (tmp_path / "m.mtl").write_text("newmtl a\n" + "# padding\n" * 200)
    (tmp_path / "t.obj").write_text("mtllib m.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    monkeypatch.setattr(obj_loader, "MAX_MTL_BYTES", 100)
    with pytest.raises(AssetError, match="m.mtl is larger than"):
        load_user_object(tmp_path / "t.obj")
