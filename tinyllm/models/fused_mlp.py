"""The first half of a GPT MLP, ``gelu(x·Wᵀ + b)``, as ONE node of the graph.

With h = x·Wᵀ + b, u = √(2/π)·(h + 0.044715·h³) and t = tanh(u) (GPT-2's GELU):

    y = ½·h·(1 + t)
    ∂y/∂h = ½·(1 + t) + ½·h·(1 − t²)·√(2/π)·(1 + 3·0.044715·h²)
    ∂L/∂x = (g ⊙ ∂y/∂h)·W,   ∂L/∂W = (g ⊙ ∂y/∂h)ᵀ·x,   ∂L/∂b = Σ_rows g ⊙ ∂y/∂h

Why fuse: the forward saves t, so the backward needs no second tanh, and the bias add
rides along with the activation. On the numba backend each direction is one compiled
pass (tanh through the vectorisable ``vexp``: ½(1 + tanh u) = σ(2u)); on the numpy
backend they are whole-array NumPy expressions — same numbers.
"""

from __future__ import annotations

import math

import numpy as np

from .. import kernels
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..ops.cases import case

C0 = math.sqrt(2.0 / math.pi)
A3 = 0.044715

def _numba_helpers():
    from . import _gelu_jit  # imports numba: only when the numba backend is in use

    return _gelu_jit.forward, _gelu_jit.grad


def gelu_tanh_parts(h: np.ndarray, bias) -> tuple[np.ndarray, np.ndarray]:
    """Add ``bias`` to the pre-activation ``h`` in place; return (y, t = tanh(u))."""
    if kernels.get_backend() == "numba":
        forward, _ = _numba_helpers()
        b = np.zeros(1, dtype=h.dtype) if bias is None else bias
        y, t = np.empty_like(h), np.empty_like(h)
        forward(h, b, bias is not None, y, t)
        return y, t
    if bias is not None:
        h += bias
    t = np.tanh(h.dtype.type(C0) * (h + h.dtype.type(A3) * h * h * h))
    return 0.5 * h * (1.0 + t), t


def gelu_tanh_grad(g: np.ndarray, h: np.ndarray, t: np.ndarray) -> np.ndarray:
    """∂L/∂h = g·gelu'(h), with t = tanh(u) saved by the forward."""
    if kernels.get_backend() == "numba":
        _, grad = _numba_helpers()
        dh = np.empty_like(h)
        grad(np.ascontiguousarray(g), h, t, dh)
        return dh
    f = h.dtype.type
    return g * (f(0.5) * (1 + t) + f(0.5 * C0) * h * (1 - t * t) * (1 + f(3 * A3) * h * h))


class LinearGELU(Function):
    """y = GELU_tanh(x·Wᵀ + b) for 2-D x (rows × in), W [out, in] — see module docstring."""

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        if x.ndim != 2 or x.shape[1] != weight.shape[1]:
            raise ValueError(f"linear_gelu: x must be (rows, {weight.shape[1]}), got {x.shape}")
        h = kernels.matmul(x, weight.T)
        y, t = gelu_tanh_parts(h, bias)
        ctx.save_for_backward(x, weight, h, t)
        ctx.has_bias = bias is not None
        return y

    @staticmethod
    def backward(ctx, g):
        x, w, h, t = ctx.saved
        dh = gelu_tanh_grad(g, h, t)
        gx = kernels.matmul(dh, w) if ctx.needs_input_grad[0] else None
        gw = kernels.matmul(dh.T, x) if ctx.needs_input_grad[1] else None
        gb = dh.sum(axis=0) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return gx, gw, gb


def linear_gelu(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """GELU_tanh(x·Wᵀ + b) as one op (x 2-D)."""
    return LinearGELU.apply(x, weight, bias)


@case("LinearGELU")
def _linear_gelu_case():
    r = np.random.default_rng(7)
    return linear_gelu, [Tensor(r.standard_normal((5, 4)), requires_grad=True),
                         Tensor(r.standard_normal((6, 4)), requires_grad=True),
                         Tensor(r.standard_normal(6), requires_grad=True)]


@case("LinearGELU")
def _linear_gelu_no_bias_case():
    r = np.random.default_rng(8)
    return linear_gelu, [Tensor(r.standard_normal((3, 4)) * 2, requires_grad=True),
                         Tensor(r.standard_normal((2, 4)), requires_grad=True)]
