"""Matrix products: the neuron z = Σᵢ wᵢxᵢ + b, a layer of them, and batched matmul."""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..autograd.function import Function
from ._util import unbroadcast


def _check_matmul(a: np.ndarray, b: np.ndarray, op: str = "matmul") -> None:
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"{op}: both operands need at least 1 dimension, got "
                         f"{a.shape} @ {b.shape}")
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ValueError(f"{op}: cannot multiply {a.shape} @ {b.shape}: the inner dimensions "
                         f"{k_a} and {k_b} differ")
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"{op}: batch dimensions of {a.shape} @ {b.shape} do not broadcast") \
            from None


def _common_dtype(*arrays):
    """Mixed float32/float64 operands are promoted as NumPy promotes them; the engine casts
    each gradient back to its input's dtype."""
    dt = np.result_type(*[a for a in arrays if a is not None])
    if dt.kind != "f":
        raise TypeError(f"matmul: operands must be floating point, got "
                        f"{[str(a.dtype) for a in arrays if a is not None]}")
    return [None if a is None else a.astype(dt, copy=False) for a in arrays]


class MatMul(Function):
    """C = A @ B (batched and broadcasting like ``np.matmul``).

    Cᵢⱼ = Σₖ Aᵢₖ Bₖⱼ, so ∂L/∂A = G @ Bᵀ and ∂L/∂B = Aᵀ @ G (transposing the last two
    axes), then summed over any batch axes that were broadcast. A 1-D operand is treated
    as a row (left) or column (right) vector, as NumPy does.
    """

    @staticmethod
    def forward(ctx, a, b):
        _check_matmul(a, b)
        a, b = _common_dtype(a, b)
        ctx.save_for_backward(a, b)
        return kernels.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if b.ndim == 1:  # first: for vector @ vector, g is 0-d and becomes (1, 1)
            g2 = np.expand_dims(g2, -1)
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = unbroadcast(kernels.matmul(g2, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        if ctx.needs_input_grad[1]:
            gb = unbroadcast(kernels.matmul(np.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
        return ga, gb


class Linear(Function):
    """y = x Wᵀ + b — a layer of neurons, each zⱼ = Σᵢ Wⱼᵢ xᵢ + bⱼ (book §4.1.1).

    W has shape [out, in] (PyTorch's layout). With G = ∂L/∂y and x flattened to rows:
    ∂L/∂x = G W,   ∂L/∂W = Gᵀ x,   ∂L/∂b = Σ_rows G.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ValueError(f"linear: input's last dimension is {x.shape[-1:] or '()'} but the "
                             f"weight {weight.shape} expects in_features={weight.shape[1]}")
        x, weight, bias = _common_dtype(x, weight, bias)
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        y = kernels.matmul(x, weight.T)
        if bias is not None:
            y += bias
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved
        g2 = g.reshape(-1, g.shape[-1])
        gx = kernels.matmul(g, w) if ctx.needs_input_grad[0] else None
        gw = kernels.matmul(g2.T, x.reshape(-1, x.shape[-1])) if ctx.needs_input_grad[1] else None
        gb = g2.sum(axis=0) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return gx, gw, gb
