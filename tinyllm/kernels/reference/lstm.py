"""A whole LSTM sequence, forward and backward through time, NumPy reference.

Shapes: x (T, B, I) time-major, h, c (B, H), w_ih (4H, I), w_hh (4H, H), b (4H,).
Gate order i, f, g, o as in PyTorch. For each step t:

    z_t = x_t·W_ihᵀ + h_{t−1}·W_hhᵀ + b                      (B, 4H)
    i = σ(z_i),  f = σ(z_f),  g = tanh(z_g),  o = σ(z_o)
    c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)

The input part x_t·W_ihᵀ does not depend on the recurrence, so it is computed for all
T steps in one big matrix product before the loop; only h_{t−1}·W_hhᵀ stays inside.

Backward (BPTT), walking t = T−1 … 0 with dh, dc the gradients arriving from step t+1:

    dh += dhs[t];   τ = tanh(c_t)
    do = dh ⊙ τ;    dc += dh ⊙ o ⊙ (1 − τ²)
    di = dc ⊙ g;    dg = dc ⊙ i;    df = dc ⊙ c_{t−1};    dc ← dc ⊙ f   (to step t−1)
    dz = [di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o)]
    dh ← dz·W_hh                                                          (to step t−1)

and afterwards, again as big products over all steps at once:
    dW_ih = Σ_t dz_tᵀ·x_t,  dW_hh = Σ_t dz_tᵀ·h_{t−1},  db = Σ_t Σ_batch dz_t,  dx_t = dz_t·W_ih
"""

from __future__ import annotations

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # σ(z) = 1/(1 + e^(−z)) = e^z/(1 + e^z): with e = e^(−|z|) ≤ 1 pick the form that
    # cannot overflow; both keep full relative accuracy (even σ(−40) ≈ 4e-18)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def lstm_forward(x, h0, c0, w_ih, w_hh, b):
    """→ (hs, cs, gates): hs, cs (T, B, H) after each step, gates (T, B, 4H) = [i, f, g, o]."""
    t_len, batch, _ = x.shape
    hidden = h0.shape[1]
    dt = x.dtype
    xw = (x.reshape(t_len * batch, -1) @ w_ih.T).reshape(t_len, batch, 4 * hidden) + b
    hs = np.empty((t_len, batch, hidden), dtype=dt)
    cs = np.empty((t_len, batch, hidden), dtype=dt)
    gates = np.empty((t_len, batch, 4 * hidden), dtype=dt)
    h, c = h0, c0
    w_hh_t = w_hh.T
    for t in range(t_len):
        z = xw[t] + h @ w_hh_t
        i = _sigmoid(z[:, :hidden])
        f = _sigmoid(z[:, hidden : 2 * hidden])
        g = np.tanh(z[:, 2 * hidden : 3 * hidden])
        o = _sigmoid(z[:, 3 * hidden :])
        c = f * c + i * g
        h = o * np.tanh(c)
        gates[t] = np.concatenate([i, f, g, o], axis=1)
        hs[t], cs[t] = h, c
    return hs, cs, gates


def lstm_backward(dhs, dhT, dcT, x, h0, c0, w_ih, w_hh, hs, cs, gates):
    """→ (dx, dh0, dc0, dw_ih, dw_hh, db), gradients of the loss (see the module docstring)."""
    t_len, batch, _ = x.shape
    hid = h0.shape[1]
    dz = np.empty_like(gates)  # pre-activation gradients, all steps
    dh = dhT.astype(x.dtype, copy=True)
    dc = dcT.astype(x.dtype, copy=True)
    for t in range(t_len - 1, -1, -1):
        i, f = gates[t, :, :hid], gates[t, :, hid : 2 * hid]
        g, o = gates[t, :, 2 * hid : 3 * hid], gates[t, :, 3 * hid :]
        c_prev = cs[t - 1] if t > 0 else c0
        dh = dh + dhs[t]
        tc = np.tanh(cs[t])
        do = dh * tc
        dc = dc + dh * o * (1.0 - tc * tc)
        dz[t, :, :hid] = dc * g * i * (1.0 - i)
        dz[t, :, hid : 2 * hid] = dc * c_prev * f * (1.0 - f)
        dz[t, :, 2 * hid : 3 * hid] = dc * i * (1.0 - g * g)
        dz[t, :, 3 * hid :] = do * o * (1.0 - o)
        dc = dc * f
        dh = dz[t] @ w_hh
    dz2 = dz.reshape(t_len * batch, 4 * hid)
    h_prev = np.concatenate([h0[None], hs[:-1]], axis=0).reshape(t_len * batch, hid)
    dx = (dz2 @ w_ih).reshape(x.shape)
    dw_ih = dz2.T @ x.reshape(t_len * batch, -1)
    dw_hh = dz2.T @ h_prev
    db = dz2.sum(axis=0)
    return dx, dh, dc, dw_ih, dw_hh, db
