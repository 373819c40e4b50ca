"""Arithmetic, element by element, with NumPy broadcasting.

Each backward multiplies the incoming gradient g = ∂L/∂out by the local derivative and
then sums it back to the input's shape (:func:`unbroadcast`).
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._util import unbroadcast


class Add(Function):
    """out = a + b.   ∂out/∂a = 1, ∂out/∂b = 1."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (np.shape(a), np.shape(b))
        return a + b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return unbroadcast(g, sa), unbroadcast(g, sb)


class Sub(Function):
    """out = a − b.   ∂out/∂a = 1, ∂out/∂b = −1."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (np.shape(a), np.shape(b))
        return a - b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return unbroadcast(g, sa), unbroadcast(-g, sb)


class Mul(Function):
    """out = a · b.   ∂out/∂a = b, ∂out/∂b = a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        ga = unbroadcast(g * b, np.shape(a)) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g * a, np.shape(b)) if ctx.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    """out = a / b.   ∂out/∂a = 1/b, ∂out/∂b = −a/b²."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved
        ga = unbroadcast(g / b, np.shape(a)) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(-g * a / (b * b), np.shape(b)) if ctx.needs_input_grad[1] else None
        return ga, gb


class Neg(Function):
    """out = −a.   ∂out/∂a = −1."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


class Pow(Function):
    """out = aᵖ.   ∂out/∂a = p·aᵖ⁻¹,  ∂out/∂p = aᵖ·ln a (defined for a > 0)."""

    @staticmethod
    def forward(ctx, a, p):
        out = np.power(a, p)
        ctx.save_for_backward(a, p, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, p, out = ctx.saved
        ga = gp = None
        if ctx.needs_input_grad[0]:
            ga = unbroadcast(g * p * np.power(a, p - 1), np.shape(a))
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                lna = np.where(a > 0, np.log(np.where(a > 0, a, 1)), 0)
            gp = unbroadcast(g * out * lna, np.shape(p))
        return ga, gp


class Exp(Function):
    """out = eˣ.   ∂out/∂x = eˣ = out."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved
        return g * out


class Log(Function):
    """out = ln x.   ∂out/∂x = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return g / x


class Sqrt(Function):
    """out = √x.   ∂out/∂x = 1 / (2√x)."""

    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved
        return g / (2.0 * out)


class Abs(Function):
    """out = |x|.   ∂out/∂x = sign(x) (0 at x = 0, PyTorch's choice)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return g * np.sign(x)


class Clip(Function):
    """out = min(max(x, lo), hi).   ∂out/∂x = 1 inside [lo, hi], else 0."""

    @staticmethod
    def forward(ctx, x, lo=None, hi=None):
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        lo, hi = ctx.bounds
        keep = np.ones(x.shape, dtype=bool)
        if lo is not None:
            keep &= x >= lo
        if hi is not None:
            keep &= x <= hi
        return g * keep


class Where(Function):
    """out = a where cond else b.   ∂out/∂a = cond, ∂out/∂b = ¬cond (cond is a constant)."""

    @staticmethod
    def forward(ctx, cond, a, b):
        cond = np.asarray(cond, dtype=bool)
        ctx.save_for_backward(cond)
        ctx.shapes = (np.shape(a), np.shape(b))
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved
        sa, sb = ctx.shapes
        ga = unbroadcast(np.where(cond, g, 0), sa) if ctx.needs_input_grad[1] else None
        gb = unbroadcast(np.where(cond, 0, g), sb) if ctx.needs_input_grad[2] else None
        return None, ga, gb


class MaskedFill(Function):
    """out = value where mask else x.   ∂out/∂x = ¬mask."""

    @staticmethod
    def forward(ctx, x, mask, value=0.0):
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {mask.dtype}")
        try:
            np.broadcast_shapes(mask.shape, x.shape)
        except ValueError:
            raise ValueError(f"masked_fill: mask of shape {mask.shape} does not broadcast to "
                             f"input shape {x.shape}") from None
        ctx.save_for_backward(mask)
        ctx.shape = x.shape
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved
        return unbroadcast(np.where(mask, 0, g).astype(g.dtype), ctx.shape), None
