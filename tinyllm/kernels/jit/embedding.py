"""Embedding gather and scatter-add, Numba twin of ``reference/embedding.py``.

The backward is the loop that ``np.add.at`` stands for, compiled:
    for each position p:  dW[ids[p], :] += dout[p, :]
It runs serially on purpose: two positions with the same id would otherwise race on the
same row, and the loop is already bound by memory (one read of dout, one row update).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._common import size_dispatched


@size_dispatched(work_arg=2)
def _gather(weight, ids, out):
    d = weight.shape[1]
    for p in prange(ids.size):
        row = ids[p]
        for j in range(d):
            out[p, j] = weight[row, j]


@njit(cache=True)
def _scatter_add(ids, dout, dw):
    d = dout.shape[1]
    for p in range(ids.size):
        row = ids[p]
        for j in range(d):
            dw[row, j] += dout[p, j]


def embedding_forward(weight: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """weight[ids] (see reference.embedding_forward)."""
    w = np.ascontiguousarray(weight)
    flat = np.ascontiguousarray(ids).reshape(-1)
    out = np.empty((flat.size, w.shape[1]), dtype=w.dtype)
    _gather(w, flat, out)
    return out.reshape(ids.shape + (w.shape[1],))


def embedding_backward(ids, dout, num_embeddings, padding_idx):
    """dW[r] = Σ_{p: ids[p]=r} dout[p] (see reference.embedding_backward)."""
    d = dout.shape[-1]
    dw = np.zeros((num_embeddings, d), dtype=dout.dtype)
    _scatter_add(np.ascontiguousarray(ids).reshape(-1),
                 np.ascontiguousarray(dout).reshape(-1, d), dw)
    if padding_idx is not None:
        dw[padding_idx] = 0
    return dw
