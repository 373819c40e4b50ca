"""Layer normalisation, Numba twin of ``reference/layer_norm.py`` (same formulas).

Forward: one parallel pass per row computes μ and σ² (two sweeps over a row that sits in
cache) and writes y. Backward: per row, the two means mean(g) and mean(g·x̂) and then dx;
the column sums dw = Σ dy·x̂ and db = Σ dy are accumulated per chunk of rows (each chunk
owned by one thread, so no two threads write the same memory) and the chunk partials
added at the end. The chunk count is fixed (not the thread count) so results do not
depend on how many threads ran.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ._common import rows2d, size_dispatched

N_CHUNKS = 8


@size_dispatched
def _ln_forward(x, w, b, eps, y, mean, rstd):
    n, d = x.shape
    for r in prange(n):
        s = 0.0
        for j in range(d):
            s += x[r, j]
        mu = s / d
        v = 0.0
        for j in range(d):
            dev = x[r, j] - mu
            v += dev * dev
        rs = 1.0 / math.sqrt(v / d + eps)
        mean[r] = mu
        rstd[r] = rs
        for j in range(d):
            y[r, j] = (x[r, j] - mu) * rs * w[j] + b[j]


def layer_norm_forward(x, weight, bias, eps):
    """→ (y, mean, rstd) (see reference.layer_norm_forward)."""
    x2 = rows2d(x)
    d = x2.shape[1]
    w = np.ones(d, x.dtype) if weight is None else np.ascontiguousarray(weight)
    b = np.zeros(d, x.dtype) if bias is None else np.ascontiguousarray(bias)
    y = np.empty_like(x2)
    mean = np.empty(x2.shape[0], x.dtype)
    rstd = np.empty(x2.shape[0], x.dtype)
    _ln_forward(x2, w, b, eps, y, mean, rstd)
    lead = x.shape[:-1]
    return y.reshape(x.shape), mean.reshape(lead), rstd.reshape(lead)


@size_dispatched
def _ln_backward(dy, x, w, mean, rstd, dx, dw_parts, db_parts):
    n, d = x.shape
    n_chunks = dw_parts.shape[0]
    for ch in prange(n_chunks):
        for r in range(ch * n // n_chunks, (ch + 1) * n // n_chunks):
            mu = mean[r]
            rs = rstd[r]
            sg = 0.0
            sgx = 0.0
            for j in range(d):
                xhat = (x[r, j] - mu) * rs
                g = dy[r, j] * w[j]
                sg += g
                sgx += g * xhat
                dw_parts[ch, j] += dy[r, j] * xhat
                db_parts[ch, j] += dy[r, j]
            mg = sg / d
            mgx = sgx / d
            for j in range(d):
                xhat = (x[r, j] - mu) * rs
                dx[r, j] = (dy[r, j] * w[j] - mg - xhat * mgx) * rs


def layer_norm_backward(dy, x, weight, mean, rstd):
    """→ (dx, dweight, dbias) (see reference.layer_norm_backward)."""
    x2 = rows2d(x)
    n, d = x2.shape
    w = np.ones(d, x.dtype) if weight is None else np.ascontiguousarray(weight)
    dx = np.empty_like(x2)
    chunks = max(1, min(N_CHUNKS, n))
    dw_parts = np.zeros((chunks, d), x.dtype)
    db_parts = np.zeros((chunks, d), x.dtype)
    _ln_backward(rows2d(dy), x2, w, np.ascontiguousarray(mean).reshape(-1),
                 np.ascontiguousarray(rstd).reshape(-1), dx, dw_parts, db_parts)
    if weight is None:
        return dx.reshape(x.shape), None, None
    return dx.reshape(x.shape), dw_parts.sum(axis=0), db_parts.sum(axis=0)
