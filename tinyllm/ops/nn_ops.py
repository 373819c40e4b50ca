"""The fused building blocks of networks: layer norm, embedding, dropout, attention, LSTM.

Each is one node of the graph (not dozens of elementwise nodes), with its derivative
written out and computed by a kernel from :mod:`tinyllm.kernels` — that is what makes
them fast, and it keeps the formula in one place.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..autograd.function import Function
from ._util import check_float


class LayerNorm(Function):
    """y = (x − μ)/√(σ² + ε) · γ + β over the last ``len(normalized_shape)`` axes.

    With x̂ = (x − μ)·r, r = 1/√(σ² + ε), N the normalised size and ĝ = g·γ:
    ∂L/∂x = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),  ∂L/∂γ = Σ g·x̂,  ∂L/∂β = Σ g.
    """

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, normalized_shape=None, eps=1e-5):
        check_float(x, "layer_norm")
        shape = tuple(normalized_shape) if normalized_shape is not None else x.shape[-1:]
        if x.shape[x.ndim - len(shape):] != shape:
            raise ValueError(f"layer_norm: normalized_shape {shape} does not match the last "
                             f"dimensions of input {x.shape}")
        for name, p in (("weight", weight), ("bias", bias)):
            if p is not None and p.shape != shape:
                raise ValueError(f"layer_norm: {name} has shape {p.shape}, expected {shape}")
        d = int(np.prod(shape))
        x2 = np.ascontiguousarray(x.reshape(-1, d))
        w = None if weight is None else weight.reshape(d)
        b = None if bias is None else bias.reshape(d)
        y, mean, rstd = kernels.layer_norm_forward(x2, w, b, eps)
        ctx.save_for_backward(x2, w, mean, rstd)
        ctx.shapes = (x.shape, shape)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        x2, w, mean, rstd = ctx.saved
        xshape, shape = ctx.shapes
        g2 = np.ascontiguousarray(g.reshape(x2.shape))
        dx, dw, db = kernels.layer_norm_backward(g2, x2, w, mean, rstd)
        dw = None if dw is None else dw.reshape(shape)
        db = None if db is None else db.reshape(shape)
        if not ctx.needs_input_grad[2]:
            db = None
        return dx.reshape(xshape), dw, db


class Embedding(Function):
    """out[..., :] = W[ids[...], :] — a table lookup (one-hot times W, without the zeros).

    Backward: row ``i`` of ∂L/∂W is the sum of g over every position whose id is i (a
    scatter-add; an id that appears twice gets both contributions). Rows at
    ``padding_idx`` get no gradient.
    """

    @staticmethod
    def forward(ctx, ids, weight, padding_idx=None):
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"embedding: ids must be integers, got dtype {ids.dtype}")
        n = weight.shape[0]
        if ids.size and (ids.min() < 0 or ids.max() >= n):
            bad = ids[(ids < 0) | (ids >= n)][0]
            raise ValueError(f"embedding: id {int(bad)} is out of range for a table of {n} rows "
                             f"(valid ids: 0..{n - 1})")
        ctx.save_for_backward(ids)
        ctx.meta = (n, padding_idx)
        return kernels.embedding_forward(weight, ids)

    @staticmethod
    def backward(ctx, g):
        (ids,) = ctx.saved
        n, padding_idx = ctx.meta
        return None, kernels.embedding_backward(ids, g, n, padding_idx)


class Dropout(Function):
    """Inverted dropout: out = x·m/(1−p), m ~ Bernoulli(1−p).   ∂out/∂x = m/(1−p).

    Scaling at training time keeps E[out] = x, so evaluation needs no change. The mask is
    drawn from tinyllm's seeded generator, or passed in (tests, gradcheck).
    """

    @staticmethod
    def forward(ctx, x, p=0.5, mask=None):
        if mask is None:
            from ..rng import get_rng

            mask = get_rng().random(x.shape) >= p
        scale = (mask / (1.0 - p)).astype(x.dtype)
        ctx.save_for_backward(scale)
        return x * scale

    @staticmethod
    def backward(ctx, g):
        (scale,) = ctx.saved
        return g * scale


class ScaledDotProductAttention(Function):
    """out = softmax(Q Kᵀ·s + masking) V, s = 1/√d by default.

    With P the attention probabilities and G = ∂L/∂out:
    ∂L/∂V = Pᵀ G;  ∂L/∂P = G Vᵀ;  ∂L/∂S = P ⊙ (∂L/∂P − rowsum(∂L/∂P ⊙ P));
    ∂L/∂Q = ∂L/∂S·K·s;  ∂L/∂K = (∂L/∂S)ᵀ·Q·s.  Masked positions get probability 0.
    """

    @staticmethod
    def forward(ctx, q, k, v, mask=None, is_causal=False, scale=None):
        check_float(q, "scaled_dot_product_attention", "q")
        if q.ndim < 2 or k.ndim != q.ndim or v.ndim != q.ndim:
            raise ValueError(f"scaled_dot_product_attention: q, k, v must have the same rank "
                             f"(…, T, D), got {q.shape}, {k.shape}, {v.shape}")
        if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
            raise ValueError(f"scaled_dot_product_attention: shapes q {q.shape}, k {k.shape}, "
                             f"v {v.shape} are inconsistent (need q[-1] == k[-1] and "
                             "k[-2] == v[-2])")
        lead = q.shape[:-2]
        shape4 = lambda a: a.reshape((-1, 1) + a.shape[-2:]) if a.ndim != 4 else a  # noqa: E731
        q4, k4, v4 = shape4(q), shape4(k), shape4(v)
        m4 = None
        if mask is not None:
            mask = np.asarray(mask)
            if mask.dtype != bool:
                raise TypeError(f"scaled_dot_product_attention: mask must be bool (True = may "
                                f"attend), got {mask.dtype}")
            target = q.shape[:-1] + (k.shape[-2],)
            try:
                np.broadcast_shapes(mask.shape, target)
            except ValueError:
                raise ValueError(f"scaled_dot_product_attention: mask of shape {mask.shape} "
                                 f"does not broadcast to the score shape {target}") from None
            m4 = np.broadcast_to(mask, target)
            if q.ndim != 4:
                m4 = m4.reshape((-1, 1) + target[-2:])
        s = 1.0 / np.sqrt(q.shape[-1]) if scale is None else float(scale)
        out, probs = kernels.attention_forward(q4, k4, v4, m4, bool(is_causal), s)
        ctx.save_for_backward(q4, k4, v4, probs)
        ctx.meta = (s, q.shape, k.shape, v.shape)
        return out.reshape(lead + out.shape[-2:])

    @staticmethod
    def backward(ctx, g):
        q4, k4, v4, probs = ctx.saved
        s, qs, ks, vs = ctx.meta
        g4 = np.ascontiguousarray(g.reshape(q4.shape[:-1] + (v4.shape[-1],)))
        dq, dk, dv = kernels.attention_backward(g4, q4, k4, v4, probs, s)
        return dq.reshape(qs), dk.reshape(ks), dv.reshape(vs), None


class LSTM(Function):
    """One LSTM layer over a whole sequence (time-major x: T × B × I), gate order i, f, g, o.

        [i, f, g, o] = [σ, σ, tanh, σ](W_ih xₜ + W_hh hₜ₋₁ + b)
        cₜ = f ⊙ cₜ₋₁ + i ⊙ g,     hₜ = o ⊙ tanh(cₜ)

    Backward is back-propagation through time: walking t = T…1, with δh and δc the
    gradients arriving at hₜ and cₜ:
        δo = δh·tanh(cₜ),  δc += δh·o·(1 − tanh²cₜ),  δi = δc·g,  δg = δc·i,
        δf = δc·cₜ₋₁,  δcₜ₋₁ = δc·f,  then through the gate non-linearities, and
        δhₜ₋₁ = W_hhᵀ·δgates;  ∂L/∂W_ih = Σₜ δgatesₜ xₜᵀ,  ∂L/∂W_hh = Σₜ δgatesₜ hₜ₋₁ᵀ.
    Outputs: (hs [T, B, H], h_T [B, H], c_T [B, H]).
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        b = b_ih + b_hh
        hs, cs, gates = kernels.lstm_forward(np.ascontiguousarray(x), h0, c0, w_ih, w_hh, b)
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, hs, cs, gates)
        return hs, hs[-1].copy(), cs[-1].copy()

    @staticmethod
    def backward(ctx, dhs, dhT, dcT):
        x, h0, c0, w_ih, w_hh, hs, cs, gates = ctx.saved
        dx, dh0, dc0, dw_ih, dw_hh, db = kernels.lstm_backward(
            np.ascontiguousarray(dhs), dhT, dcT, x, h0, c0, w_ih, w_hh, hs, cs, gates)
        return dx, dh0, dc0, dw_ih, dw_hh, db, db.copy()
