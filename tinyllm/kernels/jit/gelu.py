"""GELU, Numba twin of ``reference/gelu.py`` (same formulas, fused elementwise passes).

Exact GELU is one compiled pass using ``math.erf`` (libm's erf, which Numba compiles in;
NumPy has no erf to beat it). The tanh form is one compiled pass each way too, using
:func:`~tinyllm.kernels.jit.vexp.vtanh`, a tanh that LLVM vectorises (libm's tanh is a
scalar call per element).
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ..reference.gelu import INV_SQRT_2, INV_SQRT_2PI, SQRT_2_OVER_PI, TANH_C
from ._common import size_dispatched
from .vexp import vtanh


@size_dispatched(fma=True)
def _gelu_fwd(x, y):
    """Exact GELU: y = ½·x·(1 + erf(x/√2)) (libm's erf, compiled in)."""
    for i in prange(x.size):
        v = x[i]
        y[i] = 0.5 * v * (1.0 + math.erf(v * INV_SQRT_2))


@size_dispatched(fma=True)
def _gelu_bwd(dy, x, dx):
    """dx = dy·(Φ(x) + x·φ(x))."""
    for i in prange(x.size):
        v = x[i]
        cdf = 0.5 * (1.0 + math.erf(v * INV_SQRT_2))
        pdf = INV_SQRT_2PI * math.exp(-0.5 * v * v)
        dx[i] = dy[i] * (cdf + v * pdf)


@size_dispatched(fma=True)
def _gelu_tanh_fwd(x, y, t):
    """t = tanh(u), u = √(2/π)·(x + 0.044715·x³);  y = ½·x·(1 + t) — one pass, with the
    vectorisable ``vtanh`` (so no separate SIMD-tanh pass over memory)."""
    f = x.dtype.type        # constants in x's precision: a float64 constant would turn
    one, c0, c3 = f(1.0), f(SQRT_2_OVER_PI), f(TANH_C)   # float32 math into float64
    for i in prange(x.size):
        v = x[i]
        th = vtanh(c0 * (v + c3 * v * v * v))
        t[i] = th
        y[i] = f(0.5) * v * (one + th)


@size_dispatched(fma=True)
def _gelu_tanh_bwd(dy, x, dx):
    """dx = dy·(½(1 + t) + ½·x·(1 − t²)·√(2/π)(1 + 3·0.044715·x²)), t recomputed."""
    f = x.dtype.type
    one, half, c0, c3 = f(1.0), f(0.5), f(SQRT_2_OVER_PI), f(TANH_C)
    for i in prange(x.size):
        v = x[i]
        th = vtanh(c0 * (v + c3 * v * v * v))
        du = c0 * (one + f(3.0) * c3 * v * v)
        dx[i] = dy[i] * (half * (one + th) + half * v * (one - th * th) * du)


def gelu_forward(x: np.ndarray, approximate: str) -> np.ndarray:
    """y = gelu(x) elementwise (see reference.gelu_forward)."""
    xf = np.ascontiguousarray(x).reshape(-1)
    y = np.empty_like(xf)
    if approximate == "tanh":
        _gelu_tanh_fwd(xf, y, np.empty_like(xf))
    else:
        _gelu_fwd(xf, y)
    return y.reshape(x.shape)


def gelu_backward(dy: np.ndarray, x: np.ndarray, approximate: str) -> np.ndarray:
    """dx = dy·gelu'(x) elementwise (see reference.gelu_backward)."""
    xf = np.ascontiguousarray(x).reshape(-1)
    dyf = np.ascontiguousarray(dy).reshape(-1)
    dx = np.empty_like(xf)
    if approximate == "tanh":
        _gelu_tanh_bwd(dyf, xf, dx)
    else:
        _gelu_bwd(dyf, xf, dx)
    return dx.reshape(x.shape)
