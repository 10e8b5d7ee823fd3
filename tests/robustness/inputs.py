"""Bad inputs made on the fly (nothing binary is committed): each returns a path in ``folder``."""
import base64
import json
import struct

import numpy as np
import torch


class _CraftedDtype:
    """Pickles as numpy.dtype("O8") whose state points numpy at an address from the file."""

    def __reduce__(self):
        return np.dtype, ("O8", False, True), (3, "|", None, None, None, 8, 8, 0)


class _CraftedScalar:
    def __reduce__(self):
        return np._core.multiarray.scalar, (_CraftedDtype(), b"\x41" * 8)


def segfaulting_weights(folder):
    """A 1 KB weights file that crashed every loader that let numpy rebuild its dtype."""
    path = folder / "inception5h.pth"
    torch.save({"epoch": _CraftedScalar()}, path)
    return path


def complex_weights(folder):
    from torchvision.models import mobilenet_v2

    sd = {k: v.to(torch.complex64) if v.is_floating_point() else v
          for k, v in mobilenet_v2().state_dict().items()}
    path = folder / "complex.pth"
    torch.save(sd, path)
    return path


def _triangle_gltf() -> dict:
    pos = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)
    blob = pos.tobytes() + struct.pack("<3H", 0, 1, 2) + b"\0\0"
    return {
        "asset": {"version": "2.0"}, "scenes": [{"nodes": [0]}], "scene": 0,
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "buffers": [{"byteLength": len(blob),
                     "uri": "data:application/octet-stream;base64," + base64.b64encode(blob).decode()}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": 36},
                        {"buffer": 0, "byteOffset": 36, "byteLength": 6}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                       "min": [0, 0, 0], "max": [1, 1, 0]},
                      {"bufferView": 1, "componentType": 5123, "count": 3, "type": "SCALAR"}],
    }


def crashing_gltf(folder):
    """A node cycle: assimp recurses until it crashes."""
    doc = _triangle_gltf()
    doc["nodes"] = [{"children": [1]}, {"children": [0], "mesh": 0}]
    path = folder / "cycle.gltf"
    path.write_text(json.dumps(doc))
    return path


def unreadable_image(folder):
    path = folder / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n but not really")
    return path


def recording(folder, events=(), window=(1280, 800), name="session.jsonl"):
    from game.core.params import ParamState
    from game.tools.recording import format as fmt

    header = fmt.make_header(ParamState().snapshot(), {}, "gl", window)
    path = folder / name
    path.write_text("\n".join(json.dumps(e) for e in (header, *events)) + "\n")
    return path
