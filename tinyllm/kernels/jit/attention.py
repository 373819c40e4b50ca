"""Scaled dot-product attention, Numba twin of ``reference/attention.py``.

The two big products per head (Q·Kᵀ and P·V; in the backward dout·Vᵀ, Pᵀ·dout, dS·K,
dSᵀ·Q) stay with BLAS through ``np.matmul``: Numba here has no BLAS of its own, and a
hand loop would be slower. What Numba fuses is everything between them, which NumPy
does in ~8 passes over the (…, Tq, Tk) score tensor:

    forward:  scale, causal test j ≤ i + (Tk − Tq), mask, row max, exp, row sum, divide
              (a row with no allowed key is written as zeros)
    backward: dS = P ⊙ (dP − Σ_j dP ⊙ P), times scale (folded in here so dQ and dK
              need no extra pass)
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ._common import size_dispatched


@size_dispatched
def _masked_shift(s, keep, has_mask, causal, scale, tq, tk):
    """s (R, Tk) raw scores, rows ordered (…, query) → s·scale − row max at allowed keys,
    −∞ elsewhere (so that exp gives exactly 0 there). A row with no allowed key is all −∞."""
    offset = tk - tq
    for r in prange(s.shape[0]):
        qi = r % tq
        limit = tk if not causal else min(tk, qi + offset + 1)  # keys j < limit allowed
        m = -np.inf
        for j in range(limit):
            if has_mask and not keep[r, j]:
                continue
            v = s[r, j] * scale
            if v > m:
                m = v
        for j in range(tk):
            if j >= limit or (has_mask and not keep[r, j]) or m == -np.inf:
                s[r, j] = -np.inf
            else:
                s[r, j] = s[r, j] * scale - m


@size_dispatched
def _normalize_rows(p):
    """p (R, Tk) ← p / Σ_j p; a row that sums to 0 (nothing to attend to) stays 0."""
    for r in prange(p.shape[0]):
        tot = 0.0
        for j in range(p.shape[1]):
            tot += p[r, j]
        if tot > 0.0:
            inv = 1.0 / tot
            for j in range(p.shape[1]):
                p[r, j] = p[r, j] * inv


def _masked_softmax(s2, keep, has_mask, causal, scale, tq, tk):
    """In place: s2 becomes the attention probabilities. The exp runs as NumPy's SIMD
    ``np.exp`` between two compiled passes (Numba would call a scalar exp per element)."""
    _masked_shift(s2, keep, has_mask, causal, scale, tq, tk)
    np.exp(s2, out=s2)
    _normalize_rows(s2)


def attention_forward(q, k, v, mask, causal, scale):
    """→ (out, probs) (see reference.attention_forward)."""
    tq, tk = q.shape[-2], k.shape[-2]
    s = np.matmul(q, np.swapaxes(k, -1, -2))  # a fresh C-contiguous array, reused as P
    s2 = s.reshape(-1, tk)
    if mask is not None:
        keep = np.ascontiguousarray(np.broadcast_to(mask, s.shape)).reshape(-1, tk)
    else:
        keep = np.ones((1, 1), dtype=np.bool_)
    _masked_softmax(s2, keep, mask is not None, causal, q.dtype.type(scale), tq, tk)
    return np.matmul(s, v), s


@size_dispatched
def _softmax_grad(p, dp, scale):
    """dp (R, Tk) ← scale·P ⊙ (dP − Σ_j dP ⊙ P), in place."""
    for r in prange(p.shape[0]):
        acc = 0.0
        for j in range(p.shape[1]):
            acc += dp[r, j] * p[r, j]
        for j in range(p.shape[1]):
            dp[r, j] = scale * p[r, j] * (dp[r, j] - acc)


def attention_backward(dout, q, k, v, probs, scale):
    """→ (dq, dk, dv) (see reference.attention_backward)."""
    tk = k.shape[-2]
    dv = np.matmul(np.swapaxes(probs, -1, -2), dout)
    dp = np.matmul(dout, np.swapaxes(v, -1, -2))  # fresh, C-contiguous: becomes dS
    _softmax_grad(np.ascontiguousarray(probs).reshape(-1, tk), dp.reshape(-1, tk),
                  q.dtype.type(scale))
    dq = np.matmul(dp, k)
    dk = np.matmul(np.swapaxes(dp, -1, -2), q)
    return dq, dk, dv
