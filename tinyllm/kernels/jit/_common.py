"""Shared settings for the Numba twins.

FASTMATH allows only re-association of sums: that lets LLVM vectorise
sums (a row sum becomes 8 partial sums in one AVX register) without the unsafe flags
(no "no-NaN"/"no-inf" assumptions: masks use −inf and NaN must still propagate).
"""

import numpy as np

FASTMATH = {"reassoc"}


def as_c(x: np.ndarray) -> np.ndarray:
    """C-contiguous view or copy: each kernel is compiled for one memory layout only."""
    return np.ascontiguousarray(x)


def rows2d(x: np.ndarray) -> np.ndarray:
    """View (…, D) as contiguous (N, D) rows."""
    return np.ascontiguousarray(x).reshape(-1, x.shape[-1])
