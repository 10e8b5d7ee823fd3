"""The post-processing chain: one file per effect, applied in the thesis' order."""
