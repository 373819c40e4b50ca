"""Activation functions: the non-linearities between layers (book §4.1.2)."""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..autograd.function import Function


def stable_sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1+e^(−z)), written so that no exp ever overflows.

    For z ≥ 0 use 1/(1+e^(−z)); for z < 0 the algebraically equal e^z/(1+e^z).
    """
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


class Sigmoid(Function):
    """σ(z) = 1 / (1 + e^(−z)).   dσ/dz = σ(z)·(1 − σ(z))."""

    @staticmethod
    def forward(ctx, z):
        s = stable_sigmoid(z)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved
        return g * s * (1.0 - s)


class ReLU(Function):
    """relu(z) = max(0, z).   d relu/dz = 1 if z > 0 else 0."""

    @staticmethod
    def forward(ctx, z):
        out = np.maximum(z, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved
        return g * (out > 0)


class Tanh(Function):
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)).   d tanh/dz = 1 − tanh²(z)."""

    @staticmethod
    def forward(ctx, z):
        t = np.tanh(z)
        ctx.save_for_backward(t)
        return t

    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved
        return g * (1.0 - t * t)


class GELU(Function):
    """GELU(x) = x·Φ(x), Φ the standard normal CDF = ½(1 + erf(x/√2)).

    d/dx = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).  With ``approximate="tanh"``,
    Φ(x) ≈ ½(1 + tanh(√(2/π)(x + 0.044715x³))) — GPT-2's form — and its derivative.
    """

    @staticmethod
    def forward(ctx, x, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        return kernels.gelu_forward(x, approximate)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return kernels.gelu_backward(g, x, ctx.approximate)


class Softmax(Function):
    """softmax(x)ᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m), m = max x (the shift changes nothing
    mathematically and keeps exp from overflowing).

    Backward (Jacobian-vector product): ∂L/∂xᵢ = sᵢ·(gᵢ − Σⱼ gⱼ sⱼ).
    """

    @staticmethod
    def forward(ctx, x, axis=-1):
        xm = np.moveaxis(x, axis, -1)
        s = np.moveaxis(kernels.softmax(np.ascontiguousarray(xm)), -1, axis)
        ctx.save_for_backward(s)
        ctx.axis = axis
        return s

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved
        return s * (g - np.sum(g * s, axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    """log_softmax(x)ᵢ = xᵢ − m − ln Σⱼ e^(xⱼ − m).

    Backward: ∂L/∂xᵢ = gᵢ − softmax(x)ᵢ·Σⱼ gⱼ.
    """

    @staticmethod
    def forward(ctx, x, axis=-1):
        xm = np.moveaxis(x, axis, -1)
        out = np.moveaxis(kernels.log_softmax(np.ascontiguousarray(xm)), -1, axis)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved
        return g - np.exp(out) * np.sum(g, axis=ctx.axis, keepdims=True)
