"""Autograd ops — the book's mathematics, forward and backward, one family per file.

Importing this package attaches the operator methods to :class:`Tensor` (``+``, ``@``,
``.sum()``, ``.relu()`` …) from one table, so the engine never imports the ops.
"""

from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor, as_tensor
from . import activations, elementwise, linalg, losses, nn_ops, reduce, shape
from .activations import GELU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .elementwise import Abs, Add, Clip, Div, Exp, Log, MaskedFill, Mul, Neg, Pow, Sqrt, Sub, Where
from .linalg import Linear, MatMul
from .losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CrossEntropy, MSELoss
from .nn_ops import LSTM, Dropout, Embedding, LayerNorm, ScaledDotProductAttention
from .reduce import Max, Mean, Sum
from .shape import Concatenate, GetItem, Reshape, Stack, Transpose


def _binary(fn, reverse=False):
    def method(self, other):
        other = as_tensor(other, self)
        return fn.apply(other, self) if reverse else fn.apply(self, other)
    return method


def _shape_args(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def _unsqueeze(self, axis):
    return Reshape.apply(self, shape=np.expand_dims(self.data, axis).shape)


def _squeeze(self, axis=None):
    return Reshape.apply(self, shape=np.squeeze(self.data, axis).shape)


def _swapaxes(self, a, b):
    axes = list(range(self.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return Transpose.apply(self, axes=tuple(axes))


_METHODS = {
    "__add__": _binary(Add), "__radd__": _binary(Add, reverse=True),
    "__sub__": _binary(Sub), "__rsub__": _binary(Sub, reverse=True),
    "__mul__": _binary(Mul), "__rmul__": _binary(Mul, reverse=True),
    "__truediv__": _binary(Div), "__rtruediv__": _binary(Div, reverse=True),
    "__pow__": _binary(Pow), "__rpow__": _binary(Pow, reverse=True),
    "__matmul__": _binary(MatMul), "__rmatmul__": _binary(MatMul, reverse=True),
    "__neg__": lambda self: Neg.apply(self),
    "__getitem__": lambda self, index: GetItem.apply(self, index=index),
    "sum": lambda self, axis=None, keepdims=False: Sum.apply(self, axis=axis, keepdims=keepdims),
    "mean": lambda self, axis=None, keepdims=False: Mean.apply(self, axis=axis,
                                                               keepdims=keepdims),
    "max": lambda self, axis=None, keepdims=False: Max.apply(self, axis=axis, keepdims=keepdims),
    "reshape": lambda self, *shape: Reshape.apply(self, shape=_shape_args(shape)),
    "view": lambda self, *shape: Reshape.apply(self, shape=_shape_args(shape)),
    "flatten": lambda self: Reshape.apply(self, shape=(-1,)),
    "unsqueeze": _unsqueeze,
    "squeeze": _squeeze,
    "transpose": lambda self, *axes: Transpose.apply(self, axes=_shape_args(axes) or None),
    "permute": lambda self, *axes: Transpose.apply(self, axes=_shape_args(axes)),
    "swapaxes": _swapaxes,
    "T": property(lambda self: Transpose.apply(self, axes=None)),
    "exp": lambda self: Exp.apply(self),
    "log": lambda self: Log.apply(self),
    "sqrt": lambda self: Sqrt.apply(self),
    "abs": lambda self: Abs.apply(self),
    "clip": lambda self, lo=None, hi=None: Clip.apply(self, lo=lo, hi=hi),
    "tanh": lambda self: Tanh.apply(self),
    "sigmoid": lambda self: Sigmoid.apply(self),
    "relu": lambda self: ReLU.apply(self),
    "gelu": lambda self, approximate="none": GELU.apply(self, approximate=approximate),
    "softmax": lambda self, axis=-1: Softmax.apply(self, axis=axis),
    "log_softmax": lambda self, axis=-1: LogSoftmax.apply(self, axis=axis),
    "masked_fill": lambda self, mask, value: MaskedFill.apply(
        self, mask.data if isinstance(mask, Tensor) else np.asarray(mask), value=value),
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

__all__ = [
    "activations", "elementwise", "linalg", "losses", "nn_ops", "reduce", "shape",
    "Add", "Sub", "Mul", "Div", "Neg", "Pow", "Exp", "Log", "Sqrt", "Abs", "Clip", "Where",
    "MaskedFill", "Sigmoid", "ReLU", "Tanh", "GELU", "Softmax", "LogSoftmax", "MatMul",
    "Linear", "Sum", "Mean", "Max", "Reshape", "Transpose", "GetItem", "Concatenate", "Stack",
    "CrossEntropy", "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "MSELoss",
    "LayerNorm", "Embedding", "Dropout", "ScaledDotProductAttention", "LSTM",
]
