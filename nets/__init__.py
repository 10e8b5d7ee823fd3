"""Classifiers for Perturber, in pure torch (no panda3d, direct, game, ui or models3d).

- ``labels``: the ImageNet-1k class names, offline.
- ``loading``: ``load_state_dict_file`` (weights_only pickles or safetensors) and
  ``ModelLoadError``.
- ``registry``: model entries by name; ``load(name)`` gives a ``Classifier`` that takes
  images in [0, 1], shape (B, 3, 224, 224), with the normalisation inside.
- ``download``: where each entry's weights were published (``WeightsSource``) and
  ``fetch``, which downloads only files with a recorded size and sha256, checked.
- ``taps``: forward hooks on named layers, always removed.
- ``infer``: ``predict(model, images, k)`` -> top-k per image.
- ``backends``: forward-only passes behind one interface, torch or onnxruntime
  (``make_backend("auto", classifier)``).

In a process that also runs Panda3D, call ``game.core.torch_first.import_torch_first()``
before Panda3D opens anything.
"""
