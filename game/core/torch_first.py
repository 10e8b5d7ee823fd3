"""torch and torchvision go in before Panda3D: importing torchvision after Panda3D has
created its EGL context segfaults the process.

Every entry point that may use both (the command line, the app, the sweep workers,
scripts, the tests) calls ``import_torch_first()`` before anything opens a window or a
headless pipeline.
"""


def import_torch_first() -> None:
    """Import torch and torchvision now (nothing to do when they already are)."""
    import torch  # noqa: F401
    import torchvision  # noqa: F401
