"""GELU, Numba twin of ``reference/gelu.py`` (same formulas, fused elementwise passes).

Exact GELU is one compiled pass using ``math.erf`` (libm's erf, which Numba compiles in;
NumPy has no erf to beat it). The tanh form splits its pass around NumPy's ``np.tanh``:
Numba without Intel's SVML calls a scalar tanh/exp per element, while ``np.tanh`` runs
SIMD. The polynomial parts stay compiled loops, each array read once.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ..reference.gelu import INV_SQRT_2, INV_SQRT_2PI, SQRT_2_OVER_PI, TANH_C
from ._common import size_dispatched


@size_dispatched
def _gelu_fwd(x, y):
    """Exact GELU: y = ½·x·(1 + erf(x/√2)) (libm's erf, compiled in)."""
    for i in prange(x.size):
        v = x[i]
        y[i] = 0.5 * v * (1.0 + math.erf(v * INV_SQRT_2))


@size_dispatched
def _gelu_bwd(dy, x, dx):
    """dx = dy·(Φ(x) + x·φ(x))."""
    for i in prange(x.size):
        v = x[i]
        cdf = 0.5 * (1.0 + math.erf(v * INV_SQRT_2))
        pdf = INV_SQRT_2PI * math.exp(-0.5 * v * v)
        dx[i] = dy[i] * (cdf + v * pdf)


@size_dispatched
def _tanh_arg(x, u):
    """u = √(2/π)·(x + 0.044715·x³), the argument of the tanh."""
    for i in prange(x.size):
        v = x[i]
        u[i] = SQRT_2_OVER_PI * (v + TANH_C * v * v * v)


@size_dispatched
def _gelu_tanh_out(x, t, y):
    for i in prange(x.size):
        y[i] = 0.5 * x[i] * (1.0 + t[i])


@size_dispatched
def _gelu_tanh_grad(dy, x, t, dx):
    for i in prange(x.size):
        v = x[i]
        du = SQRT_2_OVER_PI * (1.0 + 3.0 * TANH_C * v * v)
        dx[i] = dy[i] * (0.5 * (1.0 + t[i]) + 0.5 * v * (1.0 - t[i] * t[i]) * du)


def _tanh_of_arg(xf: np.ndarray) -> np.ndarray:
    t = np.empty_like(xf)
    _tanh_arg(xf, t)
    return np.tanh(t, out=t)  # SIMD tanh, in place


def gelu_forward(x: np.ndarray, approximate: str) -> np.ndarray:
    """y = gelu(x) elementwise (see reference.gelu_forward)."""
    xf = np.ascontiguousarray(x).reshape(-1)
    y = np.empty_like(xf)
    if approximate == "tanh":
        _gelu_tanh_out(xf, _tanh_of_arg(xf), y)
    else:
        _gelu_fwd(xf, y)
    return y.reshape(x.shape)


def gelu_backward(dy: np.ndarray, x: np.ndarray, approximate: str) -> np.ndarray:
    """dx = dy·gelu'(x) elementwise (see reference.gelu_backward)."""
    xf = np.ascontiguousarray(x).reshape(-1)
    dyf = np.ascontiguousarray(dy).reshape(-1)
    dx = np.empty_like(xf)
    if approximate == "tanh":
        _gelu_tanh_grad(dyf, xf, _tanh_of_arg(xf), dx)
    else:
        _gelu_bwd(dyf, xf, dx)
    return dx.reshape(x.shape)
