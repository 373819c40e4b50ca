"""Gradient utilities."""

from __future__ import annotations

import numpy as np


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients so their joint norm is at most ``max_norm``; return the norm
    before clipping. ‖g‖ = (Σ over every gradient element |g|^p)^(1/p)."""
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return 0.0
    if norm_type == float("inf"):
        total = max(float(np.max(np.abs(p.grad))) for p in params)
    else:
        total = float(sum(float(np.sum(np.abs(p.grad) ** norm_type)) for p in params)
                      ** (1.0 / norm_type))
    if not np.isfinite(total):
        raise FloatingPointError(f"clip_grad_norm_: the gradient norm is {total} (NaN or inf "
                                 "in a gradient)")
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for p in params:
            p.grad *= coef
    return total
