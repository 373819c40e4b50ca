"""Softmax, log-softmax and fused softmax + cross-entropy, Numba twin.

Same formulas as ``reference/softmax.py``. The NumPy version walks the (N, C) array
5–7 times (max, subtract, exp, sum, divide, log, gather); here each row is read once for
its max, once for exp-and-sum (the exponentials, computed with the vectorisable
:func:`~tinyllm.kernels.jit.vexp.vexp`, are written straight into ``probs``) and the row
(now hot in cache) is scaled. Rows are independent, so they run in parallel
(``prange``). Row sums accumulate in float64 even for float32 input: a 8192-term float32
sum would otherwise drift by ~1e-5.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from ._common import rows2d, size_dispatched
from .vexp import vexp


@size_dispatched(fma=True)
def _softmax_rows(x, out, take_log):
    n, c = x.shape
    for r in prange(n):
        m = x[r, 0]
        for j in range(1, c):
            if x[r, j] > m:
                m = x[r, j]
        s = 0.0
        for j in range(c):
            e = vexp(x[r, j] - m)
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


@size_dispatched(fma=True)
def _ce_forward(logits, targets, ignore_index, eps, probs, loss):
    """Per row r of z = logits: m = max z; p = e^(z − m) (vectorised ``vexp``) and
    s = Σ p in one pass; p /= s; loss = log s + m − z_t (label smoothing mixes in the
    mean over classes)."""
    n, c = logits.shape
    for r in prange(n):
        z, p = logits[r], probs[r]
        m = z[0]
        for j in range(1, c):
            if z[j] > m:
                m = z[j]
        s = 0.0
        tot = 0.0
        for j in range(c):
            e = vexp(z[j] - m)
            p[j] = e
            s += e
            tot += z[j]
        inv = 1.0 / s
        for j in range(c):
            p[j] = p[j] * inv
        t = targets[r]
        if t == ignore_index:
            loss[r] = 0.0
        else:
            lse = m + math.log(s)
            nll = lse - z[t]
            if eps != 0.0:
                nll = (1.0 - eps) * nll + eps * (lse - tot / c)
            loss[r] = nll


def cross_entropy_forward(logits, targets, ignore_index, label_smoothing):
    """Fused softmax + cross-entropy (see reference.cross_entropy_forward): one compiled
    loop nest, each row read once for its max and once for exp-and-sum."""
    x = np.ascontiguousarray(logits)
    n = x.shape[0]
    probs = np.empty_like(x)
    loss = np.empty(n, dtype=x.dtype)
    _ce_forward(x, np.ascontiguousarray(targets), ignore_index, label_smoothing, probs, loss)
    return loss, probs


@size_dispatched(fma=True)
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
