"""Helpers shared by the ops."""

from __future__ import annotations

import numpy as np


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo NumPy broadcasting: sum ``grad`` down to ``shape``.

    If x of shape ``shape`` was broadcast to grad.shape in the forward pass, every copy of
    x[i] contributed to the output, so ∂L/∂x[i] is the *sum* over the copies: sum away the
    leading axes that broadcasting added, then the axes where x had size 1.
    """
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def normalize_axis(axis, ndim: int, op: str):
    """Return ``axis`` as a tuple of non-negative ints (None = all axes), checking range."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} dims")
        out.append(int(a) % max(ndim, 1))
    return tuple(out)


def check_float(x: np.ndarray, op: str, arg: str = "input") -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: {arg} must be a floating-point tensor, got dtype {x.dtype}")
