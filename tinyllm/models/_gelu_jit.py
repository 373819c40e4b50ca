"""Numba loops for :mod:`tinyllm.models.fused_mlp` (GPT-2's tanh GELU, one pass each way).

½(1 + tanh u) = σ(2u), so y = h·σ(2u) needs one exp, computed with
:func:`~tinyllm.kernels.jit.vexp.vexp`, which LLVM vectorises: the whole activation is a
single read of h (instead of polynomial pass → ``np.tanh`` → output pass). t = 2σ − 1 is
saved for the backward.
"""

from __future__ import annotations

from numba import njit

from ..kernels.jit._common import JIT_OPTIONS_FMA
from ..kernels.jit.vexp import vexp
from .fused_mlp import A3, C0


@njit(**JIT_OPTIONS_FMA)
def forward(h, b, has_bias, y, t):
    """h += b (in place, if has_bias);  s = σ(2·C0·(h + A3·h³));  y = h·s;  t = 2s − 1."""
    f = h.dtype.type      # constants in h's precision (float64 ones would promote float32)
    one, two, c0, a3 = f(1.0), f(2.0), f(-2.0 * C0), f(A3)
    for i in range(h.shape[0]):
        hi, yi, ti = h[i], y[i], t[i]      # 1-D row views: a unit-stride inner loop
        for j in range(hi.size):
            v = hi[j]
            if has_bias:          # loop-invariant: LLVM splits the loop, no test per element
                v += b[j]
                hi[j] = v
            s = one / (one + vexp(c0 * (v + a3 * v * v * v)))
            ti[j] = two * s - one
            yi[j] = v * s


@njit(**JIT_OPTIONS_FMA)
def grad(g, h, t, dh):
    """dh = g·(½(1 + t) + ½h(1 − t²)·C0·(1 + 3·A3·h²))."""
    f = h.dtype.type
    one, half, c0, a3 = f(1.0), f(0.5), f(C0), f(3.0 * A3)
    gf, hf, tf, df = g.ravel(), h.ravel(), t.ravel(), dh.ravel()
    for i in range(hf.size):
        x, th = hf[i], tf[i]
        df[i] = gf[i] * (half * (one + th) + half * x * (one - th * th) * c0 * (one + a3 * x * x))
