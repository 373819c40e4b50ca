"""Softmax, log-softmax and fused softmax + cross-entropy, NumPy reference.

softmax(x)_c = exp(x_c − m) / Σ_j exp(x_j − m) with m = max_j x_j. Subtracting the row
maximum changes nothing mathematically but keeps exp() from overflowing (x = 1e4 would
give inf): the largest exponent is then exp(0) = 1.
"""

from __future__ import annotations

import numpy as np


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis: exp(x − max) / Σ exp(x − max)."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def log_softmax(x: np.ndarray) -> np.ndarray:
    """log softmax(x) = (x − m) − log Σ_j exp(x_j − m), over the last axis."""
    z = x - x.max(axis=-1, keepdims=True)
    z -= np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return z


def cross_entropy_forward(
    logits: np.ndarray, targets: np.ndarray, ignore_index: int, label_smoothing: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row cross-entropy and the softmax, logits (N, C), targets (N,).

    With lse = log Σ_c exp(x_c) (computed stably), −log p_c = lse − x_c, so

        loss_n = (1 − ε)·(lse − x_t) + ε·(lse − mean_c x_c)

    (the second term is ε·mean_c(−log p_c), PyTorch's label smoothing). Rows whose
    target is ``ignore_index`` get loss 0. Returns ``(loss_rows (N,), probs (N, C))``.
    """
    n = logits.shape[0]
    m = logits.max(axis=1, keepdims=True)
    e = np.exp(logits - m)
    s = e.sum(axis=1, keepdims=True)
    probs = e / s
    lse = (m + np.log(s))[:, 0]
    keep = targets != ignore_index
    safe_t = np.where(keep, targets, 0)
    loss = lse - logits[np.arange(n), safe_t]
    if label_smoothing != 0.0:
        loss = (1.0 - label_smoothing) * loss + label_smoothing * (lse - logits.mean(axis=1))
    loss = np.where(keep, loss, 0.0).astype(logits.dtype, copy=False)
    return loss, probs


def cross_entropy_backward(
    probs: np.ndarray,
    targets: np.ndarray,
    grad_rows: np.ndarray,
    ignore_index: int,
    label_smoothing: float,
) -> np.ndarray:
    """∂loss_n/∂x_c = p_c − q_c with q = (1 − ε)·onehot(t) + ε/C, times grad_rows[n].

    Rows with target == ignore_index get zero gradient.
    """
    n, c = probs.shape
    keep = targets != ignore_index
    d = probs - probs.dtype.type(label_smoothing / c)
    rows = np.nonzero(keep)[0]
    d[rows, targets[rows]] -= probs.dtype.type(1.0 - label_smoothing)
    scale = np.where(keep, grad_rows, 0).astype(probs.dtype, copy=False)
    d *= scale[:, None]
    return d
