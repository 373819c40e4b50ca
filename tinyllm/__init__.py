"""tinyllm — an educational deep-learning engine in NumPy (+ Numba kernels).

    import tinyllm as tl
    from tinyllm import nn, optim, functional as F

The core (tensors, autograd, ops) is imported eagerly; the larger sub-packages
(``nn``, ``optim``, ``text``, ``data``, ``io``, ``metrics``, ``models``, ``train``,
``infer``, ``keras``, ``profiler``) load on first use, so ``import tinyllm`` stays fast.
"""

from __future__ import annotations

import importlib

from . import ops  # noqa: F401  (attaches operators to Tensor)
from ._malloc import tune_malloc
from .autograd import (
    REGISTRY,
    Function,
    GradcheckError,
    GradcheckReport,
    Tensor,
    arange,
    enable_grad,
    gradcheck,
    is_grad_enabled,
    no_grad,
    ones,
    randn,
    set_grad_enabled,
    tensor,
    zeros,
)
from .functional import cat, concatenate, stack, where
from .kernels import get_backend, set_backend, use_backend
from .rng import get_rng, get_rng_state, manual_seed, set_rng_state

tune_malloc()  # reuse freed memory instead of page-faulting on new arrays (see _malloc.py)

__version__ = "0.1.0"

_LAZY = {"nn", "optim", "text", "data", "io", "metrics", "models", "train", "infer", "keras",
         "profiler", "functional", "kernels", "labs"}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'tinyllm' has no attribute {name!r}")


__all__ = [
    "Tensor", "tensor", "zeros", "ones", "randn", "arange", "Function", "REGISTRY",
    "no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled",
    "gradcheck", "GradcheckReport", "GradcheckError",
    "concatenate", "cat", "stack", "where",
    "manual_seed", "get_rng", "get_rng_state", "set_rng_state",
    "set_backend", "get_backend", "use_backend",
]
