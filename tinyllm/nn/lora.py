"""LoRA: fine-tune a frozen Linear through a trainable low-rank update (Hu et al., 2021).

For a pretrained ``Linear`` with weight W [out, in] (frozen), LoRA learns two small
matrices A [r, in] and B [out, r] with r ≪ min(in, out):

    y = x Wᵀ + b + (α / r) · dropout(x) Aᵀ Bᵀ

so the effective weight is W + (α/r)·B·A, a rank-r change. A starts U(−1/√in, 1/√in)
(as a Linear would) and B at zero, so at step 0 the layer is exactly the pretrained one.
Only r·(in + out) numbers train instead of in·out. ``merge()`` folds (α/r)·B·A into W
for inference (no extra matmuls); ``unmerge()`` takes it out again; ``to_linear()``
returns a plain merged ``Linear``.
"""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..autograd.tensor import Tensor
from ..rng import get_rng
from .layers import Linear
from .module import Module, Parameter

__all__ = ["LoRALinear"]


class LoRALinear(Module):
    """Wrap ``base`` (an :class:`nn.Linear`) with a rank-``rank`` LoRA update.

    Args:
        base: the pretrained layer; its weight and bias are frozen (``freeze_base``).
        rank: r ≥ 1.  alpha: the scale numerator (scaling = alpha / rank).
        dropout: dropout on the LoRA branch's input while training.
    """

    def __init__(self, base: Linear, rank: int = 8, alpha: float = 16.0, dropout: float = 0.0,
                 freeze_base: bool = True):
        super().__init__()
        if not isinstance(base, Linear):
            raise TypeError(f"LoRALinear: base must be an nn.Linear, got {type(base).__name__}")
        if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) or rank < 1:
            raise ValueError(f"LoRALinear: rank must be a positive int, got {rank!r}")
        if rank > min(base.in_features, base.out_features):
            raise ValueError(f"LoRALinear: rank {rank} exceeds min(in_features, out_features) "
                             f"= {min(base.in_features, base.out_features)}")
        if not alpha > 0:
            raise ValueError(f"LoRALinear: alpha must be > 0, got {alpha!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"LoRALinear: dropout must be in [0, 1), got {dropout}")
        self.base = base
        self.rank, self.alpha, self.dropout = int(rank), float(alpha), float(dropout)
        self.scaling = self.alpha / self.rank
        dtype = base.weight.data.dtype
        bound = 1.0 / math.sqrt(base.in_features)
        a = get_rng().uniform(-bound, bound, size=(self.rank, base.in_features)).astype(dtype)
        self.lora_A = Parameter(a)
        self.lora_B = Parameter(np.zeros((base.out_features, self.rank), dtype=dtype))
        self.merged = False
        if freeze_base:
            base.requires_grad_(False)

    @property
    def in_features(self) -> int:
        return self.base.in_features

    @property
    def out_features(self) -> int:
        return self.base.out_features

    def delta_weight(self) -> np.ndarray:
        """ΔW = (α/r)·B·A, shape [out, in]."""
        return (self.scaling * (self.lora_B.data @ self.lora_A.data)).astype(
            self.base.weight.data.dtype)

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        y = self.base(x)
        if self.merged:
            return y
        h = F.dropout(x, self.dropout, self.training) if self.dropout > 0 else x
        return y + F.linear(F.linear(h, self.lora_A), self.lora_B) * self.scaling

    def merge(self) -> LoRALinear:
        """W ← W + (α/r)·B·A; forward then uses the base layer alone."""
        if not self.merged:
            self.base.weight.data = self.base.weight.data + self.delta_weight()
            self.merged = True
        return self

    def unmerge(self) -> LoRALinear:
        """Undo :meth:`merge` (W ← W − (α/r)·B·A)."""
        if self.merged:
            self.base.weight.data = self.base.weight.data - self.delta_weight()
            self.merged = False
        return self

    def to_linear(self) -> Linear:
        """A new plain ``Linear`` with the merged weight W + (α/r)·B·A (trainable)."""
        w = self.base.weight.data if self.merged else self.base.weight.data + self.delta_weight()
        # Built without Linear.__init__, which would draw (and waste) random numbers.
        lin = Linear.__new__(Linear)
        Module.__init__(lin)
        lin.in_features, lin.out_features = self.in_features, self.out_features
        lin.weight = Parameter(w.copy())
        bias = self.base.bias
        lin.register_parameter("bias", None if bias is None else Parameter(bias.data.copy()))
        return lin

    def num_lora_parameters(self) -> int:
        """r·(in + out): the numbers LoRA trains."""
        return self.lora_A.size + self.lora_B.size

    def extra_repr(self) -> str:
        return (f"rank={self.rank}, alpha={self.alpha:g}, dropout={self.dropout:g}, "
                f"merged={self.merged}")
