"""Embedding lookup and its scatter-add backward, NumPy reference.

Forward: out[...] = W[ids[...]] (a row gather).
Backward: dW[r] = Σ_{positions p with ids[p] = r} dout[p]; a row used twice gets the sum
of both gradients. ``np.add.at(dW, ids, dout)`` says exactly that but is slow; here the
ids are sorted so equal ids sit together and each run is summed with ``np.add.reduceat``.
"""

from __future__ import annotations

import numpy as np


def embedding_forward(weight: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """weight (V, D), ids any int shape → weight[ids] of shape ids.shape + (D,)."""
    return np.take(weight, ids, axis=0)


def embedding_backward(ids, dout, num_embeddings, padding_idx):
    """ids (…), dout (…, D) → dW (num_embeddings, D); the padding row gets zero grad."""
    d = dout.shape[-1]
    flat_ids = ids.reshape(-1)
    flat_g = dout.reshape(-1, d)
    dw = np.zeros((num_embeddings, d), dtype=dout.dtype)
    if flat_ids.size:
        order = np.argsort(flat_ids, kind="stable")
        sorted_ids = flat_ids[order]
        starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
        dw[sorted_ids[starts]] = np.add.reduceat(flat_g[order], starts, axis=0)
    if padding_idx is not None:
        dw[padding_idx] = 0
    return dw
