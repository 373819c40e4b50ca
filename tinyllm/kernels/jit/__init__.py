"""Numba twins of the reference kernels (same signatures, same results, faster).

Importing this package imports numba (ImportError here makes the backend fall back to
NumPy) but compiles nothing: every ``@njit(cache=True)`` function compiles on its first
call and is then cached on disk, so the next Python process loads it in milliseconds.
Where BLAS does a part of the work better (large matrix products), a twin calls
``np.matmul`` around its compiled loops; each module docstring says which part is which.
"""

import os

# Numba's default threading layer here is GNU OpenMP, whose worker threads busy-wait
# between parallel regions. Next to OpenBLAS's own spinning threads on a 2-core machine
# that made a GPT training step ~30x slower (4.6 s instead of 0.13 s, measured). The
# "workqueue" layer parks its threads instead. A user's NUMBA_THREADING_LAYER wins.
os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")

import numba  # noqa: E402  (fail early, at backend probe time, when numba is unusable)

if numba.config.THREADING_LAYER == "default":
    # numba was imported before this module set the variable: set its config directly
    # (it is read when the first parallel function launches)
    numba.config.THREADING_LAYER = os.environ["NUMBA_THREADING_LAYER"]

from .adam import adam_update  # noqa: E402
from .attention import (
    attention_backward,
    attention_forward,
    qkv_attention_backward,
    qkv_attention_forward,
)
from .embedding import embedding_backward, embedding_forward
from .gelu import gelu_backward, gelu_forward
from .layer_norm import layer_norm_backward, layer_norm_forward
from .lstm import lstm_backward, lstm_forward
from .matmul import matmul, matmul_choice, matmul_tiled
from .softmax import cross_entropy_backward, cross_entropy_forward, log_softmax, softmax

__all__ = [
    "adam_update", "attention_backward", "attention_forward", "qkv_attention_backward",
    "qkv_attention_forward", "cross_entropy_backward",
    "cross_entropy_forward", "embedding_backward", "embedding_forward", "gelu_backward",
    "gelu_forward", "layer_norm_backward", "layer_norm_forward", "log_softmax",
    "lstm_backward", "lstm_forward", "matmul", "matmul_choice", "matmul_tiled", "softmax",
]
