"""``nn.MultiheadAttention``: PyTorch's parameters and masks, batch first by default.

    Q = X_q W_qᵀ + b_q,  K = X_k W_kᵀ + b_k,  V = X_v W_vᵀ + b_v      (W_q; W_k; W_v stacked
                                                                     in ``in_proj_weight``)
    split E into h heads of size d = E/h;  headᵢ = softmax(QᵢKᵢᵀ/√d + masks) Vᵢ
    out = concat(head₁ … head_h) W_oᵀ + b_o                          (``out_proj``)

Masks follow PyTorch's conventions: in ``key_padding_mask`` [B, S] and in a boolean
``attn_mask`` True means "do NOT attend" (a pad token, a future position); a float
``attn_mask`` is additive and may only hold 0 and −inf here. ``is_causal=True`` lets query i
see keys j ≤ i (+ S − L when there are more keys than queries, as when decoding with a
KV cache).
"""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..autograd.tensor import DEFAULT_FLOAT, Tensor
from . import init
from .layers import Linear
from .module import Module, Parameter


class MultiheadAttention(Module):
    """Multi-head attention with ``torch.nn.MultiheadAttention``'s parameter names:
    ``in_proj_weight`` [3E, E], ``in_proj_bias`` [3E], ``out_proj`` (Linear E → E), so a
    state dict moves between the two.

    Differences from PyTorch, on purpose: ``batch_first=True`` is the default (inputs
    [B, T, E], as everywhere else in tinyllm), ``need_weights=False`` is the default (the
    fused attention kernel is used unless weights are asked for or attention dropout is
    active), ``is_causal=True`` applies the causal mask by itself, and key/value must have
    the same width E as the query (no ``kdim``/``vdim``).

    ``forward(query, key, value, key_padding_mask=None, attn_mask=None, need_weights=False,
    is_causal=False, average_attn_weights=True)`` → ``(out [B, L, E], weights or None)``,
    weights [B, L, S] averaged over heads (or [B, h, L, S]).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 batch_first: bool = True, dtype=DEFAULT_FLOAT):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be a positive "
                             f"multiple of num_heads ({num_heads})")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1), got {dropout}")
        self.embed_dim, self.num_heads = int(embed_dim), int(num_heads)
        self.head_dim = self.embed_dim // self.num_heads
        self.dropout, self.batch_first = float(dropout), bool(batch_first)
        # PyTorch's initialisation: Glorot for the input projections, zero biases
        self.in_proj_weight = init.xavier_uniform_(
            Parameter(np.zeros((3 * embed_dim, embed_dim), dtype=dtype)))
        self.register_parameter("in_proj_bias", Parameter(np.zeros(3 * embed_dim, dtype=dtype))
                                if bias else None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if bias:
            init.zeros_(self.out_proj.bias)

    def _name(self) -> str:
        return f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")

    # ----- argument checks --------------------------------------------------------------
    def _check_inputs(self, query, key, value):
        out = []
        layout = "(batch, seq, embed_dim)" if self.batch_first else "(seq, batch, embed_dim)"
        for name, t in (("query", query), ("key", key), ("value", value)):
            t = t if isinstance(t, Tensor) else Tensor(t)
            if t.ndim != 3 or t.shape[-1] != self.embed_dim:
                raise ValueError(f"{self._name()}: {name} must have shape {layout} with "
                                 f"embed_dim={self.embed_dim}, got {t.shape}")
            out.append(t.swapaxes(0, 1) if not self.batch_first else t)
        q, k, v = out
        if k.shape != v.shape or q.shape[0] != k.shape[0]:
            raise ValueError(f"{self._name()}: key and value must have the same shape and the "
                             f"query's batch size; got query {query.shape}, key {key.shape}, "
                             f"value {value.shape}")
        return q, k, v

    def _allowed(self, name: str, mask, shapes: list) -> np.ndarray:
        """Turn a PyTorch-style mask (True / −inf = blocked) into 'may attend' booleans."""
        m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
        if m.shape not in shapes:
            want = " or ".join(str(s) for s in shapes)
            raise ValueError(f"{self._name()}: {name} must have shape {want}, got {m.shape}")
        if m.dtype == bool:
            return ~m
        if m.dtype.kind == "f":
            if not np.all((m == 0) | np.isneginf(m)):
                raise ValueError(f"{self._name()}: a float {name} may only hold 0 (attend) "
                                 "and -inf (blocked); pass a bool mask (True = blocked)")
            return m == 0
        raise TypeError(f"{self._name()}: {name} must be bool (True = blocked) or float "
                        f"(0 / -inf), got dtype {m.dtype}")

    def _mask(self, batch, tq, tk, key_padding_mask, attn_mask, is_causal):
        """Combined 'may attend' mask broadcastable to [B, h, L, S], or None."""
        allowed = None
        if key_padding_mask is not None:
            kp = self._allowed("key_padding_mask", key_padding_mask, [(batch, tk)])
            allowed = kp[:, None, None, :]
        if attn_mask is not None:
            am = self._allowed("attn_mask", attn_mask,
                               [(tq, tk), (batch * self.num_heads, tq, tk)])
            am = am if am.ndim == 2 else am.reshape(batch, self.num_heads, tq, tk)
            allowed = am if allowed is None else allowed & am
        if is_causal and allowed is not None:
            causal = np.tril(np.ones((tq, tk), dtype=bool), k=tk - tq)
            allowed = allowed & causal
        return allowed

    # ----- forward ----------------------------------------------------------------------
    def forward(self, query, key, value, key_padding_mask=None, attn_mask=None,
                need_weights: bool = False, is_causal: bool = False,
                average_attn_weights: bool = True):
        q_in, k_in, v_in = self._check_inputs(query, key, value)
        batch, tq, tk = q_in.shape[0], q_in.shape[1], k_in.shape[1]
        e, h, d = self.embed_dim, self.num_heads, self.head_dim
        w, b = self.in_proj_weight, self.in_proj_bias

        def heads(t, n):  # [B, T, n·E] -> n tensors [B, h, T, d]
            t = t.reshape(batch, t.shape[1], n, h, d).transpose(2, 0, 3, 1, 4)
            return [t[i] for i in range(n)] if n > 1 else [t[0]]

        if query is key and key is value:  # self-attention: one projection for Q, K, V
            q, k, v = heads(F.linear(q_in, w, b), 3)
        else:
            bq, bkv = (None, None) if b is None else (b[:e], b[e:])
            (q,) = heads(F.linear(q_in, w[:e], bq), 1)
            if key is value:
                k, v = heads(F.linear(k_in, w[e:], bkv), 2)
            else:
                bk, bv = (None, None) if b is None else (bkv[:e], bkv[e:])
                (k,) = heads(F.linear(k_in, w[e:2 * e], bk), 1)
                (v,) = heads(F.linear(v_in, w[2 * e:], bv), 1)

        allowed = self._mask(batch, tq, tk, key_padding_mask, attn_mask, is_causal)
        drop = self.dropout if self.training else 0.0
        weights = None
        if not need_weights and drop == 0.0:
            # the fused kernel: one node, probabilities never leave it
            out = F.scaled_dot_product_attention(q, k, v, mask=allowed,
                                                 is_causal=is_causal and allowed is None)
        else:
            if is_causal and allowed is None:
                allowed = np.tril(np.ones((tq, tk), dtype=bool), k=tk - tq)
            scores = (q @ k.swapaxes(-1, -2)) * (1.0 / math.sqrt(d))
            if allowed is not None:
                # a huge negative (not −inf) so a fully blocked row gives no NaN; such rows
                # are then zeroed, as the fused kernel does
                scores = scores.masked_fill(~allowed, float(np.finfo(scores.dtype).min))
            probs = F.softmax(scores, axis=-1)
            if allowed is not None:
                any_allowed = np.broadcast_to(allowed, probs.shape).any(axis=-1, keepdims=True)
                if not any_allowed.all():
                    probs = probs * any_allowed.astype(probs.dtype)
            probs = F.dropout(probs, drop, True) if drop else probs
            out = probs @ v
            if need_weights:
                weights = probs.mean(axis=1) if average_attn_weights else probs
        out = out.swapaxes(1, 2).reshape(batch, tq, e)
        out = self.out_proj(out)
        if not self.batch_first:
            out = out.swapaxes(0, 1)
        return out, weights
