"""RMSprop (Hinton, 2012): divide the step by a running root-mean-square of the gradient."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop with PyTorch's options. With g the gradient (plus λ·w for weight decay):

        v ← α·v + (1−α)·g²
        centered:  ḡ ← α·ḡ + (1−α)·g,   d = √(v − ḡ²) + ε;   otherwise d = √v + ε
        momentum μ > 0:  b ← μ·b + g/d,  w ← w − lr·b;       otherwise w ← w − lr·g/d
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        if lr < 0 or eps < 0 or weight_decay < 0 or momentum < 0:
            raise ValueError(f"RMSprop: lr, eps, weight_decay and momentum must be >= 0, got "
                             f"{lr}, {eps}, {weight_decay}, {momentum}")
        if not 0 <= alpha <= 1:
            raise ValueError(f"RMSprop: alpha must be in [0, 1], got {alpha}")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def step(self) -> None:
        for g, p in list(self._params_with_grad()):
            grad = p.grad.astype(p.data.dtype, copy=False)
            if g["weight_decay"]:
                grad = grad + g["weight_decay"] * p.data
            st = self.state.get(id(p))
            if st is None:
                st = self.state[id(p)] = {"step": 0, "square_avg": np.zeros_like(p.data)}
                if g["centered"]:
                    st["grad_avg"] = np.zeros_like(p.data)
                if g["momentum"]:
                    st["momentum_buffer"] = np.zeros_like(p.data)
            st["step"] += 1
            alpha = g["alpha"]
            v = st["square_avg"]
            v *= alpha
            v += (1 - alpha) * grad * grad
            if g["centered"]:
                ga = st["grad_avg"]
                ga *= alpha
                ga += (1 - alpha) * grad
                denom = np.sqrt(v - ga * ga) + g["eps"]
            else:
                denom = np.sqrt(v) + g["eps"]
            if g["momentum"]:
                buf = st["momentum_buffer"]
                buf *= g["momentum"]
                buf += grad / denom
                p.data -= g["lr"] * buf
            else:
                p.data -= g["lr"] * (grad / denom)
