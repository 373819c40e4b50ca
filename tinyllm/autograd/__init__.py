"""The autograd engine: Tensor, Function, the backward pass and gradcheck."""

from .engine import backward
from .function import REGISTRY, BufferFreedError, Context, Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .tensor import Tensor, arange, as_tensor, ones, randn, tensor, zeros

__all__ = [
    "Tensor", "tensor", "as_tensor", "zeros", "ones", "randn", "arange",
    "Function", "Context", "REGISTRY", "BufferFreedError", "backward",
    "no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled",
    "gradcheck", "GradcheckReport", "GradcheckError",
]
