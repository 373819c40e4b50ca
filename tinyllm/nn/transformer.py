"""``nn.TransformerBlock``: one pre-LayerNorm transformer layer (encoder or decoder).

Pre-LN (as GPT-2 and most models since): normalise *before* each sub-layer and add the
sub-layer's output back to the un-normalised stream, so the residual path x → x + … stays
an identity and gradients reach early layers undamped:

    encoder:  x = x + Dropout(SelfAttn(LN₁(x)))
              x = x + Dropout(MLP(LN₂(x)))
    decoder:  x = x + Dropout(SelfAttn(LN₁(x), causal))
              x = x + Dropout(CrossAttn(LN₂(x), memory))
              x = x + Dropout(MLP(LN₃(x)))
    MLP(x) = W₂·Dropout(GELU(W₁x + b₁)) + b₂,   W₁: d_model → dim_feedforward (4·d_model)

Sub-module names follow ``torch.nn.TransformerEncoderLayer`` / ``TransformerDecoderLayer``
(``self_attn``, ``multihead_attn``, ``linear1``, ``linear2``, ``norm1..3``) so a PyTorch
layer built with ``norm_first=True, activation="gelu", batch_first=True`` loads as is.
"""

from __future__ import annotations

from .. import functional as F
from ..autograd.tensor import DEFAULT_FLOAT, Tensor
from .attention import MultiheadAttention
from .layers import Dropout, LayerNorm, Linear
from .module import Module


class TransformerBlock(Module):
    """Pre-LN transformer layer; ``cross_attention=True`` makes the decoder variant.

    ``forward(x, memory=None, *, attn_mask=None, key_padding_mask=None, is_causal=None,
    memory_key_padding_mask=None, memory_mask=None)`` with x [B, T, d_model] and (decoder)
    memory [B, S, d_model]. ``is_causal`` defaults to True for the decoder variant and False
    for the encoder variant (pass True for a GPT-style decoder-only block). Masks use
    PyTorch's convention: True = blocked.
    """

    def __init__(self, d_model: int, num_heads: int, dim_feedforward: int | None = None,
                 dropout: float = 0.0, cross_attention: bool = False,
                 layer_norm_eps: float = 1e-5, bias: bool = True, approximate: str = "none",
                 dtype=DEFAULT_FLOAT):
        super().__init__()
        ff = 4 * d_model if dim_feedforward is None else int(dim_feedforward)
        self.d_model, self.num_heads, self.dim_feedforward = d_model, num_heads, ff
        self.cross_attention, self.approximate = bool(cross_attention), approximate
        self.self_attn = MultiheadAttention(d_model, num_heads, dropout, bias, dtype=dtype)
        if self.cross_attention:
            self.multihead_attn = MultiheadAttention(d_model, num_heads, dropout, bias,
                                                     dtype=dtype)
        self.linear1 = Linear(d_model, ff, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(ff, d_model, bias=bias, dtype=dtype)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        if self.cross_attention:
            self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        if self.cross_attention:
            self.dropout3 = Dropout(dropout)

    def extra_repr(self) -> str:
        kind = "decoder" if self.cross_attention else "encoder"
        return (f"d_model={self.d_model}, num_heads={self.num_heads}, "
                f"dim_feedforward={self.dim_feedforward}, {kind}")

    def mlp(self, x):
        """W₂·Dropout(GELU(W₁x + b₁)) + b₂."""
        return self.linear2(self.dropout(F.gelu(self.linear1(x), self.approximate)))

    def forward(self, x, memory=None, *, attn_mask=None, key_padding_mask=None,
                is_causal: bool | None = None, memory_key_padding_mask=None,
                memory_mask=None):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim != 3 or x.shape[-1] != self.d_model:
            raise ValueError(f"TransformerBlock(d_model={self.d_model}): x must have shape "
                             f"(batch, seq, {self.d_model}), got {x.shape}")
        if self.cross_attention and memory is None:
            raise ValueError("TransformerBlock (decoder variant): forward needs memory, the "
                             "encoder output of shape (batch, src_seq, d_model)")
        if not self.cross_attention and memory is not None:
            raise ValueError("TransformerBlock: memory given to an encoder block; build it "
                             "with cross_attention=True for the decoder variant")
        causal = self.cross_attention if is_causal is None else bool(is_causal)
        a = self.norm1(x)
        x = x + self.dropout1(self.self_attn(a, a, a, key_padding_mask=key_padding_mask,
                                             attn_mask=attn_mask, is_causal=causal)[0])
        if self.cross_attention:
            a = self.norm2(x)
            x = x + self.dropout2(self.multihead_attn(
                a, memory, memory, key_padding_mask=memory_key_padding_mask,
                attn_mask=memory_mask)[0])
            return x + self.dropout3(self.mlp(self.norm3(x)))
        return x + self.dropout2(self.mlp(self.norm2(x)))
