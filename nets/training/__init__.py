"""Fine-tuning the standard model into robust variants (pure torch; renders come from ``game/``).

- ``photos``: packaged natural photos (scikit-image) split into training / held-out,
  and the texture bank they contribute to;
- ``augment``: random crops, colour jitter, and the photo texture randomisation;
- ``loop``: the training loop for the "adv" and "stylized" variants, with checkpoints;
- ``batched``: the same fine-tune shaped for a GPU (a pack on the device, a schedule);
- ``state``: a run's whole state beside each checkpoint, so either recipe resumes exactly;
- ``metrics``: agreement, robust agreement, superclass accuracy (clean and under attack),
  shape bias, low-frequency energy share, the attack's class in the perturbation alone;
- ``measures``: how ``perturber evaluate``'s measures are named and shown;
- ``card``: model cards.
"""
