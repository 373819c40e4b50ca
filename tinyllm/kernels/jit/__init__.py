"""Numba twins of the reference kernels (same signatures, same results, faster).

Importing this package imports numba (ImportError here makes the backend fall back to
NumPy) but compiles nothing: every ``@njit(cache=True)`` function compiles on its first
call and is then cached on disk, so the next Python process loads it in milliseconds.
"""

import numba  # noqa: F401  (fail early, at backend probe time, when numba is unusable)

from ..reference import (  # noqa: F401  (placeholders until each twin lands)
    adam_update,
    attention_backward,
    attention_forward,
    cross_entropy_backward,
    cross_entropy_forward,
    embedding_backward,
    embedding_forward,
    gelu_backward,
    gelu_forward,
    layer_norm_backward,
    layer_norm_forward,
    log_softmax,
    lstm_backward,
    lstm_forward,
    matmul,
    matmul_tiled,
    softmax,
)
