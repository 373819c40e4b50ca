"""Causal multi-head self-attention as ONE node of the graph, straight from the fused qkv.

A GPT block projects each token once to ``qkv = x·W_attnᵀ + b`` of width 3C and then
needs, per head h, the slices q_h, k_h, v_h of width D = C/H. Written with tensor ops
that is split → reshape → transpose (×3), attention, transpose → reshape: eight graph
nodes and as many copies in each direction. This Function is one node that calls one
kernel each way (:func:`tinyllm.kernels.qkv_attention_forward` / ``…_backward``, NumPy
or Numba by backend), which reads the heads straight out of the qkv rows.

Forward, for rows laid out as (B, T, 3C) with qkv = [q | k | v] and heads side by side::

    S_h = s·Q_h K_hᵀ (+ −∞ where j > i, or where the key is padding),  s = 1/√D
    P_h = softmax(S_h),   Y_h = P_h V_h,   y = [Y_1 | … | Y_H]          (B, T, C)

Backward, with G_h the slice of ∂L/∂y for head h:

    ∂L/∂V_h = P_hᵀ G_h,   ∂L/∂P_h = G_h V_hᵀ,
    ∂L/∂S_h = P_h ⊙ (∂L/∂P_h − rowsum(∂L/∂P_h ⊙ P_h)),
    ∂L/∂Q_h = s·∂L/∂S_h K_h,   ∂L/∂K_h = s·(∂L/∂S_h)ᵀ Q_h,

and ∂L/∂qkv is those three gradients put back in the [q | k | v] layout.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..ops.cases import case


def split_heads(qkv: np.ndarray, n_head: int):
    """(B, T, 3C) → three contiguous (B, H, T, D) arrays q, k, v."""
    b, t, c3 = qkv.shape
    d = c3 // (3 * n_head)
    x = qkv.reshape(b, t, 3, n_head, d).transpose(2, 0, 3, 1, 4)  # (3, B, H, T, D), a view
    return (np.ascontiguousarray(x[0]), np.ascontiguousarray(x[1]),
            np.ascontiguousarray(x[2]))


def merge_heads(y: np.ndarray) -> np.ndarray:
    """(B, H, T, D) → (B, T, H·D), heads side by side."""
    b, h, t, d = y.shape
    return np.ascontiguousarray(y.transpose(0, 2, 1, 3)).reshape(b, t, h * d)


def key_padding_mask(key_mask) -> np.ndarray | None:
    """(B, Tk) bool, True = real token → (B, 1, 1, Tk), the shape the kernel broadcasts."""
    if key_mask is None:
        return None
    m = np.asarray(key_mask)
    return m[:, None, None, :]


class FusedCausalAttention(Function):
    """y = concat_h softmax(s·Q_h K_hᵀ + causal mask) V_h, read from one (B, T, 3C) qkv.

    See the module docstring for the derivative. ``key_mask`` (optional, bool (B, T),
    True = real token) also hides padding keys, for batches of different lengths.
    """

    @staticmethod
    def forward(ctx, qkv, n_head=1, key_mask=None, seq_len=None):
        # A 2-D (B·T, 3C) input (the GPT keeps its residual stream flat, so that every
        # Linear is one large matrix product) needs seq_len to find the sequences.
        flat = qkv.ndim == 2
        if flat:
            if not seq_len or qkv.shape[0] % seq_len:
                raise ValueError(f"fused_causal_attention: a 2-D qkv {qkv.shape} needs seq_len "
                                 f"dividing its {qkv.shape[0]} rows, got seq_len={seq_len}")
            rows = qkv
        else:
            if qkv.ndim != 3:
                raise ValueError(f"fused_causal_attention: qkv must be (B, T, 3C) or (B·T, 3C), "
                                 f"got shape {qkv.shape}")
            seq_len = qkv.shape[1]
            rows = qkv.reshape(-1, qkv.shape[2])
        if rows.shape[1] % (3 * n_head):
            raise ValueError(f"fused_causal_attention: the last axis of qkv ({rows.shape[1]}) "
                             f"must be 3·C with C divisible by n_head={n_head}")
        keep = None if key_mask is None else np.asarray(key_mask, dtype=bool)
        y, probs = kernels.qkv_attention_forward(rows, n_head, seq_len, keep)
        ctx.save_for_backward(rows, probs)
        ctx.n_head, ctx.seq_len, ctx.shape = n_head, seq_len, qkv.shape
        return y if flat else y.reshape(qkv.shape[0], seq_len, -1)

    @staticmethod
    def backward(ctx, g):
        rows, probs = ctx.saved
        dqkv = kernels.qkv_attention_backward(g.reshape(rows.shape[0], -1), rows, probs,
                                              ctx.n_head, ctx.seq_len)
        return dqkv.reshape(ctx.shape), None


def fused_causal_attention(qkv: Tensor, n_head: int, key_mask=None,
                           seq_len: int | None = None) -> Tensor:
    """Causal multi-head attention from a qkv tensor: (B, T, 3C) → (B, T, C), or
    (B·T, 3C) → (B·T, C) when ``seq_len`` = T is given."""
    return FusedCausalAttention.apply(qkv, n_head=n_head, key_mask=key_mask, seq_len=seq_len)


@case("FusedCausalAttention")
def _fused_attention_case():
    x = np.random.default_rng(3).standard_normal((2, 5, 3 * 4))
    return (lambda a: fused_causal_attention(a, 2)), [Tensor(x, requires_grad=True)]


@case("FusedCausalAttention")
def _fused_attention_padded_case():
    x = np.random.default_rng(4).standard_normal((2, 4, 3 * 6))
    keep = np.array([[False, True, True, True], [True, True, True, True]])
    return (lambda a: fused_causal_attention(a, 3, key_mask=keep)), \
        [Tensor(x, requires_grad=True)]


@case("FusedCausalAttention")
def _fused_attention_flat_case():
    x = np.random.default_rng(5).standard_normal((2 * 3, 3 * 4))
    return (lambda a: fused_causal_attention(a, 2, seq_len=3)), [Tensor(x, requires_grad=True)]
