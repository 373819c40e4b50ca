"""Fused Adam / AdamW parameter update, NumPy reference (in place).

With g the gradient, t the 1-based step:
    AdamW (decoupled):  p ← p − lr·wd·p          (torch.optim.AdamW)
    Adam  (L2):         g ← g + wd·p             (torch.optim.Adam)
    m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
    p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
"""

from __future__ import annotations

import math

import numpy as np


def adam_update(param, grad, m, v, step, lr, beta1, beta2, eps, weight_decay, decoupled):
    """Update ``param``, ``m``, ``v`` in place; returns None."""
    f = param.dtype.type
    if weight_decay != 0.0:
        if decoupled:
            param *= f(1.0 - lr * weight_decay)
        else:
            grad = grad + f(weight_decay) * param  # a new array: the caller's grad is kept
    m *= f(beta1)
    m += f(1.0 - beta1) * grad
    v *= f(beta2)
    v += f(1.0 - beta2) * (grad * grad)
    step_size = f(lr / (1.0 - beta1**step))
    denom = np.sqrt(v)
    denom *= f(1.0 / math.sqrt(1.0 - beta2**step))
    denom += f(eps)
    param -= step_size * (m / denom)
