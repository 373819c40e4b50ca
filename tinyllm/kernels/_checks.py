"""Argument checks shared by both backends, so bad input fails the same way everywhere.

Each helper raises TypeError/ValueError naming the kernel and the argument.
"""

from __future__ import annotations

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_array(x, fn: str, arg: str, ndim: int | None = None, min_ndim: int = 0) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{fn}: {arg} must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{fn}: {arg} must be float32 or float64, got dtype {x.dtype}")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{fn}: {arg} must be {ndim}-D, got shape {x.shape}")
    if x.ndim < min_ndim:
        raise ValueError(f"{fn}: {arg} must have at least {min_ndim} dims, got shape {x.shape}")
    return x


def same_dtype(fn: str, ref_name: str, ref: np.ndarray, **others) -> None:
    for name, arr in others.items():
        if arr is not None and arr.dtype != ref.dtype:
            raise TypeError(
                f"{fn}: {name} has dtype {arr.dtype} but {ref_name} has {ref.dtype}; "
                "all float arguments must share one dtype"
            )


def shape_is(fn: str, arg: str, x: np.ndarray, shape: tuple) -> None:
    if x.shape != tuple(shape):
        raise ValueError(f"{fn}: {arg} must have shape {tuple(shape)}, got {x.shape}")


def int_array(x, fn: str, arg: str) -> np.ndarray:
    """Integer ids/targets as int64 (any integer dtype accepted)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{fn}: {arg} must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype.kind not in "iu":
        raise TypeError(f"{fn}: {arg} must hold integers, got dtype {x.dtype}")
    return x.astype(np.int64, copy=False)


def finite_number(x, fn: str, arg: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}: {arg} must be a number, got {type(x).__name__}")
    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"{fn}: {arg} must be finite, got {x}")
    return x
