"""Matrix product, NumPy reference: C = A·B, C[i, j] = Σ_k A[i, k]·B[k, j]."""

from __future__ import annotations

import numpy as np

TILE = 64  # tile edge used by the tiled kernels (numpy reference and numba twin alike)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.matmul`` semantics (batched, broadcasting); NumPy hands the work to BLAS."""
    return np.matmul(a, b)


def matmul_tiled(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """2-D C = A·B computed tile by tile, to show the blocking idea.

    C[I, J] = Σ_K A[I, K]·B[K, J] over TILE×TILE blocks I, J, K: each block product
    reuses a small piece of A and B many times while it sits in cache. Here each block
    product is itself a NumPy call; the Numba twin writes the block loops out by hand.
    """
    n, k = a.shape
    m = b.shape[1]
    c = np.zeros((n, m), dtype=np.result_type(a, b))
    for i0 in range(0, n, TILE):
        for k0 in range(0, k, TILE):
            a_blk = a[i0 : i0 + TILE, k0 : k0 + TILE]
            for j0 in range(0, m, TILE):
                c[i0 : i0 + TILE, j0 : j0 + TILE] += a_blk @ b[k0 : k0 + TILE, j0 : j0 + TILE]
    return c
