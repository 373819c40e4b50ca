"""NumPy reference kernels: each formula written with whole-array NumPy operations.

These are the definitions; the Numba twins in ``tinyllm.kernels.jit`` must agree with
them (float64 to 1e-10 relative, float32 to 1e-5). Inputs are assumed already checked by
the dispatching functions in ``tinyllm.kernels``.
"""

from .adam import adam_update
from .attention import (
                        attention_backward,
                        attention_forward,
                        qkv_attention_backward,
                        qkv_attention_forward,
)
from .embedding import embedding_backward, embedding_forward
from .gelu import erf, gelu_backward, gelu_forward
from .layer_norm import layer_norm_backward, layer_norm_forward
from .lstm import lstm_backward, lstm_forward
from .matmul import matmul, matmul_tiled
from .softmax import cross_entropy_backward, cross_entropy_forward, log_softmax, softmax

__all__ = [
    "adam_update", "attention_backward", "attention_forward", "qkv_attention_backward",
    "qkv_attention_forward", "cross_entropy_backward",
    "cross_entropy_forward", "embedding_backward", "embedding_forward", "erf",
    "gelu_backward", "gelu_forward", "layer_norm_backward", "layer_norm_forward",
    "log_softmax", "lstm_backward", "lstm_forward", "matmul", "matmul_tiled", "softmax",
]
