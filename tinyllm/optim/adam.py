"""Adam and AdamW: per-parameter step sizes from running moments of the gradient."""

from __future__ import annotations

import numpy as np

from .. import kernels
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015). With g the gradient (plus λ·w for L2 weight decay):

        m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,
        m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ),   w ← w − α·m̂/(√v̂ + ε)

    The update is one fused kernel (``kernels.adam_update``).
    """

    decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        if lr < 0 or eps < 0 or weight_decay < 0:
            raise ValueError(f"{type(self).__name__}: lr, eps, weight_decay must be >= 0")
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"{type(self).__name__}: betas must be in [0, 1), got {betas}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay))

    def step(self) -> None:
        for g, p in list(self._params_with_grad()):
            st = self.state.get(id(p))
            if st is None:
                st = self.state[id(p)] = {"step": 0, "exp_avg": np.zeros_like(p.data),
                                          "exp_avg_sq": np.zeros_like(p.data)}
            st["step"] += 1
            if not p.data.flags.c_contiguous:
                p.data = np.ascontiguousarray(p.data)
            b1, b2 = g["betas"]
            kernels.adam_update(p.data, np.ascontiguousarray(p.grad, dtype=p.data.dtype),
                                st["exp_avg"], st["exp_avg_sq"], st["step"], g["lr"], b1, b2,
                                g["eps"], g["weight_decay"], self.decoupled)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019):
    w ← w − α·λ·w before the Adam step, instead of adding λ·w to the gradient."""

    decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
