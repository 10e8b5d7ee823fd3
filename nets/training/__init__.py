"""Fine-tuning the standard model into robust variants (pure torch; renders come from ``game/``).

- ``photos``: packaged natural photos (scikit-image) split into training / held-out,
  and the texture bank they contribute to;
- ``augment``: random crops, colour jitter, and the photo texture randomisation;
- ``loop``: the training loop for the "adv" and "stylized" variants, with checkpoints;
- ``metrics``: agreement, robust agreement, shape bias, low-frequency energy share.
"""
