"""Numba twins of the reference kernels (same signatures, same results, faster).

Importing this package imports numba (ImportError here makes the backend fall back to
NumPy) but compiles nothing: every ``@njit(cache=True)`` function compiles on its first
call and is then cached on disk, so the next Python process loads it in milliseconds.
Where BLAS does a part of the work better (large matrix products), a twin calls
``np.matmul`` around its compiled loops; each module docstring says which part is which.
"""

import numba  # noqa: F401  (fail early, at backend probe time, when numba is unusable)

from .adam import adam_update
from .attention import attention_backward, attention_forward
from .embedding import embedding_backward, embedding_forward
from .gelu import gelu_backward, gelu_forward
from .layer_norm import layer_norm_backward, layer_norm_forward
from .lstm import lstm_backward, lstm_forward
from .matmul import matmul, matmul_choice, matmul_tiled
from .softmax import cross_entropy_backward, cross_entropy_forward, log_softmax, softmax

__all__ = [
    "adam_update", "attention_backward", "attention_forward", "cross_entropy_backward",
    "cross_entropy_forward", "embedding_backward", "embedding_forward", "gelu_backward",
    "gelu_forward", "layer_norm_backward", "layer_norm_forward", "log_softmax",
    "lstm_backward", "lstm_forward", "matmul", "matmul_choice", "matmul_tiled", "softmax",
]
