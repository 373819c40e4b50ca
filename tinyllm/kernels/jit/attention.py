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
from numba import njit, prange

from ._common import JIT_OPTIONS_FMA, PARALLEL_MIN_WORK, size_dispatched
from .vexp import vexp


@size_dispatched(fma=True)
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


@size_dispatched(fma=True)
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


@size_dispatched(fma=True)
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


# --- causal multi-head attention straight from the fused qkv projection -------------------
# One compiled loop nest per direction does all heads: for one (sequence, head) pair at a
# time it copies that head's q, k, v out of the qkv rows into small contiguous blocks,
# does the products, the mask and the softmax, and writes y / ∂qkv back in the flat
# layout. At GPT sizes (T = 64, D = 32) a head's products are too small for BLAS to pay
# off (np.matmul then runs 48 tiny GEMMs per call, plus the layout copies around them);
# the small product below computes four rows at a time with unit-stride inner loops
# that LLVM vectorises (5 µs for a causal 64×64×32 score block here, as fast as BLAS),
# and the causal rows stop at the diagonal.
@njit(**JIT_OPTIONS_FMA)
def _abt(a, b, out, causal_cols, red_lower):
    """out[i, j] = Σ_k a[i, k]·b[j, k] (a·bᵀ), four rows of ``a`` per pass over ``b``.

    causal_cols: only columns j < i (rounded up to the 4-row block) are written — the
    scores of a causal row. red_lower: the sum stops at k < i (block-rounded), for a
    left factor that is zero above its diagonal (P or dS).  The loops all start at 0:
    a loop from a nonzero start makes Numba emit a negative-index check per element,
    which stops vectorisation (measured 8× slower).
    """
    n, nred = a.shape
    m = b.shape[0]
    z = a.dtype.type(0.0)
    for i0 in range(0, n, 4):
        i1 = min(n, i0 + 4)
        jhi = min(m, i1) if causal_cols else m
        khi = min(nred, i1) if red_lower else nred
        if i1 - i0 == 4:
            a0 = a[i0]
            a1 = a[i0 + 1]
            a2 = a[i0 + 2]
            a3 = a[i0 + 3]
            for j in range(jhi):
                bj = b[j]
                s0 = z
                s1 = z
                s2 = z
                s3 = z
                for k in range(khi):
                    bv = bj[k]
                    s0 += a0[k] * bv
                    s1 += a1[k] * bv
                    s2 += a2[k] * bv
                    s3 += a3[k] * bv
                out[i0, j] = s0
                out[i0 + 1, j] = s1
                out[i0 + 2, j] = s2
                out[i0 + 3, j] = s3
        else:
            for i in range(i0, i1):
                ai = a[i]
                for j in range(jhi):
                    bj = b[j]
                    acc = z
                    for k in range(khi):
                        acc += ai[k] * bj[k]
                    out[i, j] = acc


@size_dispatched(fma=True)
def _qkv_attn_fwd(probs, qkv, n_head, key_keep, has_mask, scale, y):
    n_seq, _, t, _ = probs.shape
    c = y.shape[1]
    d = c // n_head
    zero = qkv.dtype.type(0.0)
    ninf = qkv.dtype.type(-np.inf)     # typed: a float64 −inf would turn the row math float64
    for bh in prange(n_seq * n_head):
        b, h = bh // n_head, bh % n_head
        r0 = b * t
        rows = qkv[r0:r0 + t]
        q = rows[:, h * d:(h + 1) * d].copy()            # this head's blocks, contiguous
        k = rows[:, c + h * d:c + (h + 1) * d].copy()
        vt = np.ascontiguousarray(rows[:, 2 * c + h * d:2 * c + (h + 1) * d].T)
        p = probs[b, h]
        _abt(q, k, p, True, False)                       # raw scores, j ≤ i (rounded)
        for i in range(t):                               # masked softmax of each row
            row = p[i]
            # Whole-row loops (masked entries become −∞ and exp(−∞) = 0) vectorise;
            # loops that stop at the diagonal would run mostly in their scalar tail.
            for j in range(t):
                ok = j <= i and (not has_mask or key_keep[b, j])
                row[j] = row[j] * scale if ok else ninf
            m = ninf
            for j in range(i + 1):
                m = max(m, row[j])
            if m == ninf:                                # nothing to attend to: P = 0
                row[:] = zero
                continue
            tot = zero
            for j in range(t):
                e = vexp(row[j] - m)
                row[j] = e
                tot += e
            inv = qkv.dtype.type(1.0) / tot
            for j in range(t):
                row[j] *= inv
        yh = np.empty((t, d), dtype=qkv.dtype)
        _abt(p, vt, yh, False, True)                     # Y = P·V
        y[r0:r0 + t, h * d:(h + 1) * d] = yh


@size_dispatched(fma=True)
def _qkv_attn_bwd(probs, qkv, dy, n_head, scale, dqkv):
    n_seq, _, t, _ = probs.shape
    c = dy.shape[1]
    d = c // n_head
    zero = qkv.dtype.type(0.0)
    for bh in prange(n_seq * n_head):
        b, h = bh // n_head, bh % n_head
        r0 = b * t
        rows, grows = qkv[r0:r0 + t], dy[r0:r0 + t]
        g = grows[:, h * d:(h + 1) * d].copy()
        v = rows[:, 2 * c + h * d:2 * c + (h + 1) * d].copy()
        p = probs[b, h]
        ds = np.empty((t, t), dtype=qkv.dtype)
        _abt(g, v, ds, True, False)                      # dP = G·Vᵀ, j ≤ i (rounded)
        for i in range(t):                               # dS = scale·P ⊙ (dP − Σ dP ⊙ P)
            pi, di = p[i], ds[i]
            acc = zero
            for j in range(t):                           # P is 0 right of the diagonal
                dij = di[j] if j <= i else zero
                di[j] = dij
                acc += dij * pi[j]
            for j in range(t):
                di[j] = scale * pi[j] * (di[j] - acc)
        out = np.empty((t, d), dtype=qkv.dtype)
        kt = np.ascontiguousarray(rows[:, c + h * d:c + (h + 1) * d].T)
        _abt(ds, kt, out, False, True)                   # dQ = dS·K
        dqkv[r0:r0 + t, h * d:(h + 1) * d] = out
        qt = np.ascontiguousarray(rows[:, h * d:(h + 1) * d].T)
        _abt(np.ascontiguousarray(ds.T), qt, out, False, False)   # dK = dSᵀ·Q
        dqkv[r0:r0 + t, c + h * d:c + (h + 1) * d] = out
        gt = np.ascontiguousarray(g.T)
        _abt(np.ascontiguousarray(p.T), gt, out, False, False)    # dV = Pᵀ·G
        dqkv[r0:r0 + t, 2 * c + h * d:2 * c + (h + 1) * d] = out


def _twin(kernel, probs):
    # Dispatch on the multiply-adds (~T·D/2 per score element), not the size. At the GPT
    # quick-start size (6.3 M) the parallel twin was no faster inside a training step
    # (OpenBLAS's worker keeps the second core busy spinning between GEMMs), so the
    # threshold is set high: only much larger attention runs on both cores.
    work = probs.size * probs.shape[-1] // 2
    return kernel.parallel if work >= PARALLEL_MIN_WORK * 64 else kernel.serial


def qkv_attention_forward(qkv, n_head, seq_len, key_keep, scale):
    """→ (y (B·T, C), probs (B, H, T, T)) (see reference.qkv_attention_forward)."""
    qkv = np.ascontiguousarray(qkv)
    rows, c3 = qkv.shape
    probs = np.empty((rows // seq_len, n_head, seq_len, seq_len), dtype=qkv.dtype)
    y = np.empty((rows, c3 // 3), dtype=qkv.dtype)
    keep = np.ones((1, 1), np.bool_) if key_keep is None else np.ascontiguousarray(key_keep)
    _twin(_qkv_attn_fwd, probs)(probs, qkv, n_head, keep, key_keep is not None,
                                qkv.dtype.type(scale), y)
    return y, probs


def qkv_attention_backward(dy, qkv, probs, n_head, seq_len, scale):
    """→ ∂L/∂qkv (B·T, 3C) (see reference.qkv_attention_backward)."""
    qkv = np.ascontiguousarray(qkv)
    dqkv = np.empty_like(qkv)
    _twin(_qkv_attn_bwd, probs)(probs, qkv, np.ascontiguousarray(dy), n_head,
                                qkv.dtype.type(scale), dqkv)
    return dqkv
