"""Numba loops for :mod:`tinyllm.models.fused_mlp` (GPT-2's tanh GELU, fused passes).

Each loop reads its arrays once; tanh itself is left to NumPy's SIMD ``np.tanh``.
"""

from __future__ import annotations

from numba import njit

from .fused_mlp import A3, C0


@njit(cache=True, fastmath=True)
def pre(h, b, u):
    """h += b (in place);  u = C0·(h + A3·h³)."""
    n, m = h.shape
    for i in range(n):
        for j in range(m):
            v = h[i, j] + b[j]
            h[i, j] = v
            u[i, j] = C0 * (v + A3 * v * v * v)


@njit(cache=True, fastmath=True)
def post(h, t, y):
    """y = ½·h·(1 + t)."""
    hf, tf, yf = h.ravel(), t.ravel(), y.ravel()
    for i in range(hf.size):
        yf[i] = 0.5 * hf[i] * (1.0 + tf[i])


@njit(cache=True, fastmath=True)
def grad(g, h, t, dh):
    """dh = g·(½(1 + t) + ½h(1 − t²)·C0·(1 + 3·A3·h²))."""
    gf, hf, tf, df = g.ravel(), h.ravel(), t.ravel(), dh.ravel()
    for i in range(hf.size):
        x, th = hf[i], tf[i]
        df[i] = gf[i] * (0.5 * (1.0 + th)
                         + 0.5 * x * (1.0 - th * th) * C0 * (1.0 + 3.0 * A3 * x * x))
