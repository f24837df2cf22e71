"""What every encoder runtime shares: padding token ids into a batch, and mean pooling with L2
normalisation (the torch path runs it eagerly, the ONNX export has the same code in its graph)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pad_arrays(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(input_ids, attention_mask) as int64 arrays of shape (n, longest), padded on the right."""
    width = max(len(s) for s in sequences)
    ids = np.full((len(sequences), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), width), dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return ids, mask


def mean_pool_normalise(hidden, mask):
    """torch: the mean of ``hidden`` over the tokens ``mask`` keeps, L2-normalised."""
    import torch

    weights = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
    return torch.nn.functional.normalize(pooled, dim=-1)
