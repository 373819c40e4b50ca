"""GELU and a vectorised erf, NumPy reference.

Exact:  gelu(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)),
        gelu'(x) = Φ(x) + x·φ(x),  φ(x) = exp(−x²/2)/√(2π).
Tanh:   u = √(2/π)·(x + 0.044715·x³),  gelu(x) ≈ ½·x·(1 + tanh u),
        gelu'(x) ≈ ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²).

NumPy has no erf, so :func:`erf` builds one from Taylor series around a table of centres
(see its docstring); it agrees with ``math.erf`` to about one unit in the last place.
"""

from __future__ import annotations

import math

import numpy as np

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
TANH_C = 0.044715

# --- erf from a table of Taylor expansions -------------------------------------------
# erf is smooth, and all its derivatives are known in closed form:
#     erf'(c) = 2/√π · e^(−c²),   erf^(n+1)(c) = 2/√π · (−1)^n · H_n(c) · e^(−c²)
# with H_n the (physicists') Hermite polynomials, H_{n+1} = 2c·H_n − 2n·H_{n−1}.
# So around each centre c_k = k·h we store the Taylor coefficients a_{k,n} = erf^(n)(c_k)/n!
# and evaluate erf(x) = Σ_n a_{k,n}·(x − c_k)^n with |x − c_k| ≤ h/2. With h = 1/32 the
# terms shrink so fast that 11 of them reach float64 precision. Beyond |x| = 6,
# erfc(x) < 2e-17, so erf rounds to ±1 in float64.
_H = 1.0 / 32.0
_X_MAX = 6.0
_N_TERMS = 11


def _taylor_table() -> np.ndarray:
    centres = np.arange(int(_X_MAX / _H) + 1) * _H
    table = np.empty((_N_TERMS, centres.size))  # row n holds a_{k,n} for all centres k
    table[0] = [math.erf(c) for c in centres]
    gauss = 2.0 / math.sqrt(math.pi) * np.exp(-centres * centres)
    h_prev, h_cur = np.zeros_like(centres), np.ones_like(centres)  # H_{-1}=0, H_0=1
    fact = 1.0
    for n in range(_N_TERMS - 1):  # a_{n+1} = (−1)^n H_n(c) e^(−c²) · 2/√π / (n+1)!
        fact *= n + 1
        table[n + 1] = (-1.0) ** n * h_cur * gauss / fact
        h_prev, h_cur = h_cur, 2.0 * centres * h_cur - 2.0 * n * h_prev
    return table


_TABLE = _taylor_table()


def erf(x: np.ndarray) -> np.ndarray:
    """Error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise, computed in float64.

    Odd symmetry gives erf(−x) = −erf(x); for |x| the nearest table centre c_k is picked
    and the Taylor polynomial is summed by Horner's rule.
    """
    x64 = np.asarray(x, dtype=np.float64)
    ax = np.abs(x64)
    # fmin ignores NaN, so the table index is always valid; minimum keeps NaN in t, so a
    # NaN input still gives NaN.
    k = (np.fmin(ax, _X_MAX) * (1.0 / _H) + 0.5).astype(np.intp)
    t = np.minimum(ax, _X_MAX) - k * _H
    acc = _TABLE[_N_TERMS - 1][k]
    for n in range(_N_TERMS - 2, -1, -1):  # Horner: (((a_10·t + a_9)·t + …)·t + a_0
        acc *= t
        acc += _TABLE[n][k]
    return np.copysign(acc, x64)


# --- GELU ------------------------------------------------------------------------------


def _check_approximate(approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def gelu_forward(x: np.ndarray, approximate: str) -> np.ndarray:
    """y = ½·x·(1 + erf(x/√2)), or the tanh approximation when approximate == "tanh"."""
    _check_approximate(approximate)
    f = x.dtype.type
    if approximate == "tanh":
        u = f(SQRT_2_OVER_PI) * (x + f(TANH_C) * x * x * x)
        return f(0.5) * x * (f(1.0) + np.tanh(u))
    cdf = 0.5 * (1.0 + erf(x * INV_SQRT_2))  # Φ(x), float64
    return (x * cdf).astype(x.dtype, copy=False)


def gelu_backward(dy: np.ndarray, x: np.ndarray, approximate: str) -> np.ndarray:
    """dx = dy·gelu'(x) (see the module docstring for gelu')."""
    _check_approximate(approximate)
    f = x.dtype.type
    if approximate == "tanh":
        x2 = x * x
        t = np.tanh(f(SQRT_2_OVER_PI) * (x + f(TANH_C) * x2 * x))
        du = f(SQRT_2_OVER_PI) * (f(1.0) + f(3.0 * TANH_C) * x2)
        return dy * (f(0.5) * (f(1.0) + t) + f(0.5) * x * (f(1.0) - t * t) * du)
    x64 = x.astype(np.float64, copy=False)
    cdf = 0.5 * (1.0 + erf(x64 * INV_SQRT_2))
    pdf = INV_SQRT_2PI * np.exp(-0.5 * x64 * x64)
    return (dy * (cdf + x64 * pdf)).astype(x.dtype, copy=False)
