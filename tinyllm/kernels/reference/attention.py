"""Scaled dot-product attention with masks, NumPy reference.

q (…, Tq, D), k and v (…, Tk, D):
    S = scale·Q·Kᵀ                          (…, Tq, Tk)
    S[i, j] = −∞ where the mask says False, or (causal) where j > i + (Tk − Tq)
    P = softmax(S) over j   (a row with every key masked gives P = 0, not NaN)
    out = P·V
Backward, with dP = dout·Vᵀ:
    dV = Pᵀ·dout,  dS = P ⊙ (dP − Σ_j dP ⊙ P),  dQ = scale·dS·K,  dK = scale·dSᵀ·Q
The causal offset Tk − Tq lines the last query up with the last key, so the same rule
serves training (Tq = Tk) and KV-cache decoding (a few new queries, a long cache).
"""

from __future__ import annotations

import numpy as np


def causal_keep(tq: int, tk: int) -> np.ndarray:
    """Boolean (Tq, Tk): True where query i may attend to key j, i.e. j ≤ i + (Tk − Tq)."""
    return np.arange(tk)[None, :] <= np.arange(tq)[:, None] + (tk - tq)


def attention_forward(q, k, v, mask, causal, scale):
    """→ (out (…, Tq, D), probs (…, Tq, Tk))."""
    s = np.matmul(q, np.swapaxes(k, -1, -2))
    s *= q.dtype.type(scale)
    keep = None
    if causal:
        keep = causal_keep(q.shape[-2], k.shape[-2])
    if mask is not None:
        keep = mask if keep is None else np.logical_and(mask, keep)
    if keep is not None:
        keep = np.broadcast_to(keep, s.shape)
        s = np.where(keep, s, -np.inf)
    m = s.max(axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # fully masked row: all −∞; avoid (−∞) − (−∞)
    p = np.exp(s - m)
    den = p.sum(axis=-1, keepdims=True)
    p /= np.where(den > 0, den, 1.0)  # a fully masked row stays all zeros
    out = np.matmul(p, v)
    return out, p


def attention_backward(dout, q, k, v, probs, scale):
    """→ (dq, dk, dv)."""
    f = q.dtype.type(scale)
    dv = np.matmul(np.swapaxes(probs, -1, -2), dout)
    dp = np.matmul(dout, np.swapaxes(v, -1, -2))
    ds = probs * (dp - (dp * probs).sum(axis=-1, keepdims=True))
    dq = np.matmul(ds, k) * f
    dk = np.matmul(np.swapaxes(ds, -1, -2), q) * f
    return dq, dk, dv
