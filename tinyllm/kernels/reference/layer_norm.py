"""Layer normalisation over the last axis, NumPy reference.

Forward, for each row x of length D:
    μ = mean(x),  σ² = mean((x − μ)²)  (biased, like PyTorch),  r = 1/√(σ² + eps)
    x̂ = (x − μ)·r,  y = x̂·w + b
Backward, with g = dy·w (the gradient reaching x̂):
    dx = r·(g − mean(g) − x̂·mean(g·x̂)),  dw = Σ_rows dy·x̂,  db = Σ_rows dy
"""

from __future__ import annotations

import numpy as np


def layer_norm_forward(x, weight, bias, eps):
    """x (N, D), weight/bias (D,) or None → (y (N, D), mean (N,), rstd (N,))."""
    mean = x.mean(axis=-1)
    xc = x - mean[..., None]
    var = (xc * xc).mean(axis=-1)
    rstd = 1.0 / np.sqrt(var + x.dtype.type(eps))
    y = xc * rstd[..., None]
    if weight is not None:
        y *= weight
    if bias is not None:
        y += bias
    return y, mean, rstd


def layer_norm_backward(dy, x, weight, mean, rstd):
    """→ (dx, dweight, dbias); dweight and dbias are None when weight is None."""
    d = x.shape[-1]
    xhat = (x - mean[..., None]) * rstd[..., None]
    g = dy * weight if weight is not None else dy
    mean_g = g.sum(axis=-1, keepdims=True) / d
    mean_gx = (g * xhat).sum(axis=-1, keepdims=True) / d
    dx = (g - mean_g - xhat * mean_gx) * rstd[..., None]
    if weight is None:
        return dx, None, None
    lead = tuple(range(x.ndim - 1))
    return dx, (dy * xhat).sum(axis=lead), dy.sum(axis=lead)
