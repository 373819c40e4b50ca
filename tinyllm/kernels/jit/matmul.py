"""Matrix product, Numba twin: a readable tiled kernel and the BLAS dispatcher.

``matmul_tiled`` is the classic blocked loop nest. C is cut into TILE-row strips, one
strip per thread (``prange``); inside a strip, for each (K-tile, J-tile) pair the
innermost loop runs along a contiguous row of B and C, which LLVM turns into AVX
multiply-adds. Blocking keeps a TILE×TILE piece of B in cache while it is reused by
TILE rows of A.

It is still far slower than BLAS (OpenBLAS/MKL add register blocking, packed panels and
hand-written assembly micro-kernels): about 1/10 of BLAS at 512 and less beyond, see
benchmarks/RESULTS.md. So the dispatcher :func:`matmul` sends every float product to
BLAS (``np.matmul``). We also measured the one place a compiled loop could win, tiny
products (≤ 8×8), where np.matmul costs ~1.3 µs of fixed overhead and the raw jitted loop
~0.4 µs; but allocating the output and checking layouts in Python ate the difference
(~1.4 µs in total), so BLAS is used there too. :func:`matmul_choice` reports the path.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ..reference.matmul import TILE
from ._common import size_dispatched


@size_dispatched(work_arg=2, fma=True)
def _tiled(a, b, c):
    n, k = a.shape
    m = b.shape[1]
    for it in prange((n + TILE - 1) // TILE):
        i0 = it * TILE
        i1 = min(i0 + TILE, n)
        for k0 in range(0, k, TILE):
            k1 = min(k0 + TILE, k)
            for j0 in range(0, m, TILE):
                w = min(TILE, m - j0)
                for i in range(i0, i1):
                    # 1-D row views: indexing them with 0…w−1 lets LLVM drop the
                    # negative-index checks and vectorise (6× faster than c[i, j])
                    c_row = c[i, j0 : j0 + w]
                    for kk in range(k0, k1):
                        a_ik = a[i, kk]
                        b_row = b[kk, j0 : j0 + w]
                        for j in range(w):
                            c_row[j] += a_ik * b_row[j]


def matmul_tiled(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """2-D C = A·B with the tiled loop nest (see the module docstring)."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    c = np.zeros((a.shape[0], b.shape[1]), dtype=a.dtype)
    _tiled(a, b, c)
    return c


def matmul_choice(a: np.ndarray, b: np.ndarray) -> str:
    """Which path :func:`matmul` takes for (a, b): a string starting "blas" or "tiled"."""
    shape = f"{a.shape} @ {b.shape} {a.dtype}"
    return (f"blas: {shape} goes to np.matmul (OpenBLAS/MKL); packed, register-blocked BLAS "
            "beat the tiled Numba kernel at every size measured (see benchmarks/RESULTS.md)")


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.matmul semantics; the path is the one :func:`matmul_choice` reports (BLAS)."""
    return np.matmul(a, b)
