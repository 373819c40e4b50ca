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

``qkv_attention_forward/backward`` are the same causal attention for a GPT block, read
from the fused projection qkv (B·T, 3C) whose row holds [q | k | v], heads side by side
(head h of q is columns h·D … h·D + D − 1), and written back in that flat layout.
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


# --- causal multi-head attention read straight from a fused qkv projection --------------
def _heads(qkv, n_head, seq_len):
    """(B·T, 3C) rows [q | k | v] → q, k, v as (B, H, T, D) views."""
    rows, c3 = qkv.shape
    d = c3 // (3 * n_head)
    x = qkv.reshape(rows // seq_len, seq_len, 3, n_head, d).transpose(2, 0, 3, 1, 4)
    return x[0], x[1], x[2]


def qkv_attention_forward(qkv, n_head, seq_len, key_keep, scale):
    """→ (y (B·T, C) with heads side by side, probs (B, H, T, T)); causal."""
    q, k, v = _heads(qkv, n_head, seq_len)
    mask = None if key_keep is None else key_keep[:, None, None, :]
    out, probs = attention_forward(q, k, v, mask, True, scale)
    return out.transpose(0, 2, 1, 3).reshape(qkv.shape[0], -1), probs


def qkv_attention_backward(dy, qkv, probs, n_head, seq_len, scale):
    """→ ∂L/∂qkv (B·T, 3C) in the [q | k | v] layout of the forward's input."""
    q, k, v = _heads(qkv, n_head, seq_len)
    b, h, t, d = q.shape
    g = dy.reshape(b, t, h, d).transpose(0, 2, 1, 3)
    dq, dk, dv = attention_backward(g, q, k, v, probs, scale)
    dqkv = np.stack([dq, dk, dv]).transpose(1, 3, 0, 2, 4)    # (B, T, 3, H, D)
    return np.ascontiguousarray(dqkv).reshape(qkv.shape)
