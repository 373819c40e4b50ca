"""Softmax, log-softmax and fused softmax + cross-entropy, Numba twin.

Same formulas as ``reference/softmax.py``. The NumPy version walks the (N, C) array
5–7 times (max, subtract, exp, sum, divide, log, gather); here each row is read once for
its max, once for exp-and-sum (the exponentials are written straight into ``probs``) and
the row (now hot in cache) is scaled. Rows are independent, so they run in parallel
(``prange``). Row sums accumulate in float64 even for float32 input: a 8192-term float32
sum would otherwise drift by ~1e-5.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ._common import rows2d, size_dispatched


@size_dispatched
def _softmax_rows(x, out, take_log):
    n, c = x.shape
    for r in prange(n):
        m = x[r, 0]
        for j in range(1, c):
            if x[r, j] > m:
                m = x[r, j]
        s = 0.0
        for j in range(c):
            e = math.exp(x[r, j] - m)
            out[r, j] = e
            s += e
        if take_log:
            shift = m + math.log(s)
            for j in range(c):
                out[r, j] = x[r, j] - shift
        else:
            inv = 1.0 / s
            for j in range(c):
                out[r, j] = out[r, j] * inv


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (see reference.softmax)."""
    x2 = rows2d(x)
    out = np.empty_like(x2)
    _softmax_rows(x2, out, False)
    return out.reshape(x.shape)


def log_softmax(x: np.ndarray) -> np.ndarray:
    """log-softmax over the last axis (see reference.log_softmax)."""
    x2 = rows2d(x)
    out = np.empty_like(x2)
    _softmax_rows(x2, out, True)
    return out.reshape(x.shape)


@size_dispatched
def _ce_shift(logits, shifted, rowmax, xsum):
    """Per row: m = max z, Σ z, and shifted = z − m (the input of the exp)."""
    n, c = logits.shape
    for r in prange(n):
        m = logits[r, 0]
        for j in range(1, c):
            if logits[r, j] > m:
                m = logits[r, j]
        tot = 0.0
        for j in range(c):
            shifted[r, j] = logits[r, j] - m
            tot += logits[r, j]
        rowmax[r] = m
        xsum[r] = tot


@size_dispatched
def _ce_finish(probs, logits, targets, ignore_index, eps, rowmax, xsum, loss):
    """probs holds e^(z − m): normalise it and write each row's loss."""
    n, c = probs.shape
    for r in prange(n):
        s = 0.0
        for j in range(c):
            s += probs[r, j]
        inv = 1.0 / s
        for j in range(c):
            probs[r, j] = probs[r, j] * inv
        t = targets[r]
        if t == ignore_index:
            loss[r] = 0.0
        else:
            lse = rowmax[r] + math.log(s)
            nll = lse - logits[r, t]
            if eps != 0.0:
                nll = (1.0 - eps) * nll + eps * (lse - xsum[r] / c)
            loss[r] = nll


def cross_entropy_forward(logits, targets, ignore_index, label_smoothing):
    """Fused softmax + cross-entropy (see reference.cross_entropy_forward).

    Three passes: shift by the row max (compiled), exponentiate with NumPy's SIMD
    ``np.exp`` (Numba without SVML would call a scalar exp per element), then normalise
    and take the loss (compiled).
    """
    x = np.ascontiguousarray(logits)
    n = x.shape[0]
    probs = np.empty_like(x)
    rowmax = np.empty(n, dtype=x.dtype)
    xsum = np.empty(n, dtype=np.float64)
    loss = np.empty(n, dtype=x.dtype)
    _ce_shift(x, probs, rowmax, xsum)
    np.exp(probs, out=probs)
    _ce_finish(probs, x, np.ascontiguousarray(targets), ignore_index, label_smoothing, rowmax,
               xsum, loss)
    return loss, probs


@size_dispatched
def _ce_backward(probs, targets, grad_rows, ignore_index, eps, out):
    n, c = probs.shape
    sub = eps / c
    for r in prange(n):
        t = targets[r]
        if t == ignore_index:
            for j in range(c):
                out[r, j] = 0.0
            continue
        g = grad_rows[r]
        for j in range(c):
            out[r, j] = (probs[r, j] - sub) * g
        out[r, t] = (probs[r, t] - sub - (1.0 - eps)) * g


def cross_entropy_backward(probs, targets, grad_rows, ignore_index, label_smoothing):
    """dlogits = (probs − ((1−ε)·onehot + ε/C))·grad_rows[:, None] in one pass."""
    p = np.ascontiguousarray(probs)
    out = np.empty_like(p)
    f = p.dtype.type
    _ce_backward(p, np.ascontiguousarray(targets), np.ascontiguousarray(grad_rows),
                 ignore_index, f(label_smoothing), out)
    return out
