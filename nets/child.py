"""Entry points of child processes that work beside the app at a lower priority.

A child lowers its priority before it imports torch (the import alone is seconds of CPU
on two cores), so this module imports nothing heavy at its top.
"""
import os

NICE = 10  # below the parent


def export_graph(models, path: str) -> None:
    """Receive one ``Classifier`` on the connection ``models`` and write its ONNX graph to
    ``path`` (``nets.backends.export``), with one torch thread."""
    try:
        os.nice(NICE)
    except OSError:
        pass
    import pickle
    from pathlib import Path

    import torch

    from nets.backends import export

    torch.set_num_threads(1)
    if not models.poll(120):
        raise TimeoutError("no model came through the pipe")
    # The parent's own model, pickled by it (nets.backends.deferred): trusted bytes.
    export.export(pickle.loads(models.recv_bytes()), Path(path))
