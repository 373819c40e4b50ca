"""Reductions: sum, mean, max over axes."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._util import normalize_axis


def _expand(g: np.ndarray, shape: tuple, axes: tuple, keepdims: bool) -> np.ndarray:
    """Put back the reduced axes (size 1) so ``g`` broadcasts against the input."""
    if not keepdims:
        for a in sorted(axes):
            g = np.expand_dims(g, a)
    return g


class Sum(Function):
    """out = Σ_axes x.   ∂out/∂xᵢ = 1: the gradient is copied to every summed element."""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.axes = normalize_axis(axis, x.ndim, "sum")
        ctx.shape, ctx.keepdims = x.shape, keepdims
        return np.sum(x, axis=ctx.axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        return np.broadcast_to(_expand(g, ctx.shape, ctx.axes, ctx.keepdims), ctx.shape).copy()


class Mean(Function):
    """out = (1/n) Σ_axes x.   ∂out/∂xᵢ = 1/n, n the number of averaged elements."""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.axes = normalize_axis(axis, x.ndim, "mean")
        ctx.shape, ctx.keepdims = x.shape, keepdims
        if x.dtype.kind != "f":
            raise TypeError(f"mean: input must be floating point, got {x.dtype}")
        ctx.n = int(np.prod([x.shape[a] for a in ctx.axes])) if x.ndim else 1
        return np.mean(x, axis=ctx.axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = _expand(g, ctx.shape, ctx.axes, ctx.keepdims) / ctx.n
        return np.broadcast_to(g, ctx.shape).copy()


class Max(Function):
    """out = max_axes x.   ∂out/∂xᵢ = 1 where xᵢ is the maximum, else 0.

    Ties share the gradient equally (each of k tied maxima gets 1/k), so the sum of the
    gradient is still exactly g — the same choice as ``torch.amax``.
    """

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        if x.size == 0:
            raise ValueError("max: cannot reduce an empty tensor")
        ctx.axes = normalize_axis(axis, x.ndim, "max")
        ctx.keepdims = keepdims
        out = np.max(x, axis=ctx.axes, keepdims=keepdims)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved
        out_k = _expand(out, x.shape, ctx.axes, ctx.keepdims)
        hit = (x == out_k).astype(g.dtype)
        hit /= np.sum(hit, axis=ctx.axes, keepdims=True)
        return hit * _expand(g, x.shape, ctx.axes, ctx.keepdims)
