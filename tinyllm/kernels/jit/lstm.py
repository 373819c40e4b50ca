"""A whole LSTM sequence forward and its BPTT backward, Numba twin of ``reference/lstm.py``.

Same equations and the same plan as the reference: the input projection
X·W_ihᵀ + b for all T steps is one BLAS product before the loop, and the weight
gradients are BLAS products over all steps after it. Only the recurrence is sequential.
Each step is then exactly two calls:

    z = h_{t−1}·W_hhᵀ            BLAS (np.matmul into a reused buffer)
    _cell_forward(...)          Numba: adds X·W_ihᵀ + b, the four gate nonlinearities,
                                c_t, tanh c_t, h_t — one pass over (B, 4H)

where the NumPy reference needs ~15 array operations (each a pass plus a temporary).
The backward step is the mirror image: one Numba pass turns (dh, dc) into the four gate
pre-activation gradients dz_t and the carried dc, and one BLAS product dz_t·W_hh gives the
dh for step t − 1.

σ and tanh are :mod:`~tinyllm.kernels.jit.vexp`'s ``vsigmoid`` / ``vtanh``: plain
arithmetic that LLVM vectorises (libm's exp/tanh are scalar calls), branch-free, exact
limits in the tails.
The cells run on one thread: a parallel region per step (128 of them) costs more in
thread wake-ups than it saves, and it fights with BLAS's own threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._common import JIT_OPTIONS_FMA
from .vexp import vsigmoid, vtanh


@njit(**JIT_OPTIONS_FMA)
def _cell_forward(z, xw_t, c_prev, gates_t, c_t, h_t):
    """z (B, 4H) = h_{t−1}·W_hhᵀ; writes gates_t (B, 4H), c_t and h_t (B, H)."""
    batch, hid = c_prev.shape
    for bi in range(batch):
        zb, xb, gb = z[bi], xw_t[bi], gates_t[bi]      # row views: unit-stride loops
        cp, cb, hb = c_prev[bi], c_t[bi], h_t[bi]
        for j in range(hid):
            i = vsigmoid(zb[j] + xb[j])
            f = vsigmoid(zb[hid + j] + xb[hid + j])
            g = vtanh(zb[2 * hid + j] + xb[2 * hid + j])
            o = vsigmoid(zb[3 * hid + j] + xb[3 * hid + j])
            c = f * cp[j] + i * g
            gb[j] = i
            gb[hid + j] = f
            gb[2 * hid + j] = g
            gb[3 * hid + j] = o
            cb[j] = c
            hb[j] = o * vtanh(c)


@njit(**JIT_OPTIONS_FMA)
def _cell_backward(dh, dhs_t, dc, gates_t, c_t, c_prev, dz_t):
    """dh = dz_{t+1}·W_hh (B, H), dc carried in/out (B, H); writes dz_t (B, 4H)."""
    batch, hid = dc.shape
    one = dc.dtype.type(1.0)      # typed: a float64 literal would promote float32 math
    for bi in range(batch):
        gb, cb, cp, dzb = gates_t[bi], c_t[bi], c_prev[bi], dz_t[bi]
        dhb, dsb, dcb = dh[bi], dhs_t[bi], dc[bi]
        for j in range(hid):
            i = gb[j]
            f = gb[hid + j]
            g = gb[2 * hid + j]
            o = gb[3 * hid + j]
            tc = vtanh(cb[j])
            dh_tot = dhb[j] + dsb[j]
            dct = dcb[j] + dh_tot * o * (one - tc * tc)
            dzb[j] = dct * g * i * (one - i)
            dzb[hid + j] = dct * cp[j] * f * (one - f)
            dzb[2 * hid + j] = dct * i * (one - g * g)
            dzb[3 * hid + j] = dh_tot * tc * o * (one - o)
            dcb[j] = dct * f


def lstm_forward(x, h0, c0, w_ih, w_hh, b):
    """→ (hs, cs, gates) (see reference.lstm_forward)."""
    t_len, batch, _ = x.shape
    hid = h0.shape[1]
    x = np.ascontiguousarray(x)
    xw = np.matmul(x.reshape(t_len * batch, -1), w_ih.T).reshape(t_len, batch, 4 * hid)
    xw += b
    hs = np.empty((t_len, batch, hid), dtype=x.dtype)
    cs = np.empty_like(hs)
    gates = np.empty_like(xw)
    w_hh_t = w_hh.T
    z = np.empty((batch, 4 * hid), dtype=x.dtype)
    h_prev, c_prev = np.ascontiguousarray(h0), np.ascontiguousarray(c0)
    for t in range(t_len):
        np.matmul(h_prev, w_hh_t, out=z)
        _cell_forward(z, xw[t], c_prev, gates[t], cs[t], hs[t])
        h_prev, c_prev = hs[t], cs[t]
    return hs, cs, gates


def lstm_backward(dhs, dhT, dcT, x, h0, c0, w_ih, w_hh, hs, cs, gates):
    """→ (dx, dh0, dc0, dw_ih, dw_hh, db) (see reference.lstm_backward)."""
    t_len, batch, inp = x.shape
    hid = h0.shape[1]
    dt = x.dtype
    dhs, gates, cs = (np.ascontiguousarray(a) for a in (dhs, gates, cs))
    c0 = np.ascontiguousarray(c0)
    dz = np.empty((t_len, batch, 4 * hid), dtype=dt)
    dh = np.array(dhT, dtype=dt, order="C")  # gradient reaching h_t from step t+1
    dc = np.array(dcT, dtype=dt, order="C")
    for t in range(t_len - 1, -1, -1):
        _cell_backward(dh, dhs[t], dc, gates[t], cs[t], cs[t - 1] if t > 0 else c0, dz[t])
        np.matmul(dz[t], w_hh, out=dh)
    dz2 = dz.reshape(t_len * batch, 4 * hid)
    dx = np.matmul(dz2, w_ih).reshape(t_len, batch, inp)
    dw_ih = np.matmul(dz2.T, np.ascontiguousarray(x).reshape(t_len * batch, inp))
    # Σ_t dz_tᵀ·h_{t−1}: steps 1…T−1 pair with hs[0…T−2], step 0 with h0 (no concatenation)
    dw_hh = np.matmul(dz[0].T, h0)
    if t_len > 1:
        dw_hh += np.matmul(dz2[batch:].T, np.ascontiguousarray(hs[:-1]).reshape(-1, hid))
    db = dz2.sum(axis=0)
    return dx, dh, dc, dw_ih, dw_hh, db
