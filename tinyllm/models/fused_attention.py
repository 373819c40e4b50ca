"""Causal multi-head self-attention as ONE node of the graph, straight from the fused qkv.

A GPT block projects each token once to ``qkv = x·W_attnᵀ + b`` of width 3C and then
needs, per head h, the slices q_h, k_h, v_h of width D = C/H. Written with tensor ops
that is split → reshape → transpose (×3), attention, transpose → reshape: eight graph
nodes and as many copies in each direction. This Function does the layout shuffling on
plain arrays and calls the attention kernel once (:func:`tinyllm.kernels.attention_forward`,
NumPy or Numba by backend), so the block costs one node.

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
            qkv = qkv.reshape(-1, seq_len, qkv.shape[1])
        if qkv.ndim != 3 or qkv.shape[-1] % (3 * n_head):
            raise ValueError(f"fused_causal_attention: qkv must be (B, T, 3C) with 3C divisible "
                             f"by 3·n_head={3 * n_head}, got shape {qkv.shape}")
        ctx.flat = flat
        q, k, v = split_heads(qkv, n_head)
        scale = 1.0 / np.sqrt(q.shape[-1])
        mask = key_padding_mask(key_mask)
        y, probs = kernels.attention_forward(q, k, v, mask, True, scale)
        ctx.save_for_backward(q, k, v, probs)
        ctx.scale = scale
        y = merge_heads(y)
        return y.reshape(-1, y.shape[-1]) if flat else y

    @staticmethod
    def backward(ctx, g):
        q, k, v, probs = ctx.saved
        b, h, t, d = q.shape
        g4 = np.ascontiguousarray(g.reshape(b, t, h, d).transpose(0, 2, 1, 3))
        dq, dk, dv = kernels.attention_backward(g4, q, k, v, probs, ctx.scale)
        # Back to [q | k | v] per token: stack on a new axis 2, then the (B, T, 3, H, D) order.
        dqkv = np.empty((b, t, 3, h, d), dtype=g.dtype)
        dqkv[:, :, 0] = dq.transpose(0, 2, 1, 3)
        dqkv[:, :, 1] = dk.transpose(0, 2, 1, 3)
        dqkv[:, :, 2] = dv.transpose(0, 2, 1, 3)
        return dqkv.reshape((b * t, 3 * h * d) if ctx.flat else (b, t, 3 * h * d)), None


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
