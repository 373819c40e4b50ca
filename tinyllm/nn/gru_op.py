"""A whole GRU layer over a sequence as ONE autograd node, with BPTT written out.

Gate order r, z, n as in PyTorch (``weight_ih`` rows: [W_ir; W_iz; W_in]). For each step:

    r = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr)          reset gate
    z = σ(W_iz xₜ + b_iz + W_hz hₜ₋₁ + b_hz)          update gate
    n = tanh(W_in xₜ + b_in + r ⊙ (W_hn hₜ₋₁ + b_hn))   candidate
    hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁

Note that r multiplies the *hidden* part of the candidate, bias b_hn included — that is
PyTorch's (and cuDNN's) variant, so weights move between the two unchanged.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..ops.cases import _leaf, _r, case


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # σ(a) = ½(1 + tanh(a/2)): the same function, without overflow for large |a|
    return 0.5 * (1.0 + np.tanh(0.5 * a))


class GRU(Function):
    """GRU layer over a time-major sequence x [T, B, I] from h₀ [B, H].

    Forward: the input projections X·W_ihᵀ + b_ih for all T steps are one matrix product
    (they do not depend on the recurrence); only h·W_hhᵀ + b_hh stays in the loop.

    Backward (back-propagation through time), t = T…1, with δh the gradient reaching hₜ
    (from the output at t and from step t+1) and a_n = W_hn hₜ₋₁ + b_hn:

        δn = δh ⊙ (1 − z),   δz = δh ⊙ (hₜ₋₁ − n),   δhₜ₋₁ = δh ⊙ z
        δn̂ = δn ⊙ (1 − n²),  δr = δn̂ ⊙ a_n,  δr̂ = δr ⊙ r(1 − r),  δẑ = δz ⊙ z(1 − z)
        input-side pre-activation grads  δxg = [δr̂, δẑ, δn̂]
        hidden-side pre-activation grads δhg = [δr̂, δẑ, δn̂ ⊙ r]
        δhₜ₋₁ += δhg·W_hh;   ∂L/∂W_hh += δhgᵀ hₜ₋₁;   ∂L/∂b_hh += Σ_batch δhg
    then at once over all steps: ∂L/∂x = δXG·W_ih, ∂L/∂W_ih = Σₜ δxgₜᵀ xₜ, ∂L/∂b_ih = Σ δxg.
    Outputs: (hs [T, B, H], h_T [B, H]).
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh):
        t_len, batch, n_in = x.shape
        hid = h0.shape[1]
        xg = (x.reshape(t_len * batch, n_in) @ w_ih.T).reshape(t_len, batch, 3 * hid) + b_ih
        hs = np.empty((t_len, batch, hid), dtype=x.dtype)
        r_all, z_all = np.empty_like(hs), np.empty_like(hs)
        n_all, an_all = np.empty_like(hs), np.empty_like(hs)
        h = h0
        w_hh_t = w_hh.T
        for t in range(t_len):
            hg = h @ w_hh_t + b_hh
            r = _sigmoid(xg[t, :, :hid] + hg[:, :hid])
            z = _sigmoid(xg[t, :, hid:2 * hid] + hg[:, hid:2 * hid])
            a_n = hg[:, 2 * hid:]
            n = np.tanh(xg[t, :, 2 * hid:] + r * a_n)
            h = (1.0 - z) * n + z * h
            hs[t], r_all[t], z_all[t], n_all[t], an_all[t] = h, r, z, n, a_n
        ctx.save_for_backward(x, h0, w_ih, w_hh, hs, r_all, z_all, n_all, an_all)
        return hs, hs[-1].copy()

    @staticmethod
    def backward(ctx, dhs, dhT):
        x, h0, w_ih, w_hh, hs, r_all, z_all, n_all, an_all = ctx.saved
        t_len, batch, n_in = x.shape
        hid = h0.shape[1]
        dxg = np.empty((t_len, batch, 3 * hid), dtype=x.dtype)
        dw_hh = np.zeros_like(w_hh)
        db_hh = np.zeros(3 * hid, dtype=x.dtype)
        dh = dhT.astype(x.dtype, copy=True)
        for t in range(t_len - 1, -1, -1):
            r, z, n, a_n = r_all[t], z_all[t], n_all[t], an_all[t]
            h_prev = hs[t - 1] if t > 0 else h0
            dh = dh + dhs[t]
            dn_hat = dh * (1.0 - z) * (1.0 - n * n)
            dz_hat = dh * (h_prev - n) * z * (1.0 - z)
            dr_hat = dn_hat * a_n * r * (1.0 - r)
            dxg[t, :, :hid] = dr_hat
            dxg[t, :, hid:2 * hid] = dz_hat
            dxg[t, :, 2 * hid:] = dn_hat
            dhg = np.concatenate([dr_hat, dz_hat, dn_hat * r], axis=1)
            dw_hh += dhg.T @ h_prev
            db_hh += dhg.sum(axis=0)
            dh = dh * z + dhg @ w_hh
        dxg2 = dxg.reshape(t_len * batch, 3 * hid)
        dx = (dxg2 @ w_ih).reshape(x.shape)
        dw_ih = dxg2.T @ x.reshape(t_len * batch, n_in)
        db_ih = dxg2.sum(axis=0)
        return dx, dh, dw_ih, dw_hh, db_ih, db_hh


@case("GRU")
def _gru_case():
    T, B, I, H = 5, 2, 3, 4

    def fn(x, h0, wih, whh, bih, bhh):
        hs, hT = GRU.apply(x, h0, wih, whh, bih, bhh)
        return hs.sum(axis=0) * 0.5 + hT * hT

    return fn, [_leaf(_r(T, B, I)), _leaf(_r(B, H, seed=1) * 0.5),
                _leaf(_r(3 * H, I, seed=3) * 0.5), _leaf(_r(3 * H, H, seed=4) * 0.5),
                _leaf(_r(3 * H, seed=5) * 0.3), _leaf(_r(3 * H, seed=6) * 0.3)]
