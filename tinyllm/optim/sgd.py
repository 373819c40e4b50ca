"""Stochastic gradient descent (book §3.3): w ← w − α·∂L/∂w, with momentum options."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer


class SGD(Optimizer):
    """SGD with momentum μ, dampening τ, Nesterov and L2 weight decay λ (PyTorch's rule):

        g ← g + λ·w;   b ← μ·b + (1 − τ)·g  (b = g on the first step)
        step = g + μ·b (Nesterov) or b;      w ← w − α·step
    """

    def __init__(self, params, lr: float = 1e-2, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: lr, momentum and weight_decay must be >= 0, got {lr}, "
                             f"{momentum}, {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def step(self) -> None:
        for g, p in list(self._params_with_grad()):
            grad = p.grad
            if g["weight_decay"]:
                grad = grad + g["weight_decay"] * p.data
            if g["momentum"]:
                st = self.state.setdefault(id(p), {})
                buf = st.get("momentum_buffer")
                if buf is None:
                    buf = np.array(grad, copy=True)
                else:
                    buf *= g["momentum"]
                    buf += (1 - g["dampening"]) * grad
                st["momentum_buffer"] = buf
                grad = grad + g["momentum"] * buf if g["nesterov"] else buf
            p.data -= (g["lr"] * grad).astype(p.data.dtype, copy=False)
