"""The user-facing functions (``from tinyllm import functional as F``), PyTorch's names.

Each is a thin wrapper: check arguments, turn constants into tensors, call one
``Function.apply`` from :mod:`tinyllm.ops`.
"""

from __future__ import annotations

import numpy as np

from .autograd.tensor import Tensor, as_tensor
from .ops import activations as _act
from .ops import elementwise as _el
from .ops import linalg as _la
from .ops import losses as _loss
from .ops import nn_ops as _nn
from .ops import shape as _sh


def _t(x, like=None) -> Tensor:
    return as_tensor(x, like)


# ----- activations ------------------------------------------------------------------
def sigmoid(x) -> Tensor:
    return _act.Sigmoid.apply(_t(x))


def relu(x) -> Tensor:
    return _act.ReLU.apply(_t(x))


def tanh(x) -> Tensor:
    return _act.Tanh.apply(_t(x))


def gelu(x, approximate: str = "none") -> Tensor:
    return _act.GELU.apply(_t(x), approximate=approximate)


def softmax(x, axis: int = -1) -> Tensor:
    return _act.Softmax.apply(_t(x), axis=axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    return _act.LogSoftmax.apply(_t(x), axis=axis)


# ----- linear algebra ---------------------------------------------------------------
def matmul(a, b) -> Tensor:
    a = _t(a)
    return _la.MatMul.apply(a, _t(b, a))


def linear(x, weight, bias=None) -> Tensor:
    """y = x Wᵀ + b with W of shape [out_features, in_features]."""
    return _la.Linear.apply(_t(x), weight, bias)


# ----- losses -----------------------------------------------------------------------
def cross_entropy(logits, targets, ignore_index: int = -100, label_smoothing: float = 0.0,
                  reduction: str = "mean") -> Tensor:
    targets = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    return _loss.CrossEntropy.apply(_t(logits), targets, ignore_index=ignore_index,
                                    label_smoothing=label_smoothing, reduction=reduction)


def nll_loss(log_probs, targets, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """−log p_t given log-probabilities: pick the target entries and average them."""
    targets = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    lp = _t(log_probs)
    if lp.ndim != 2 or targets.shape != lp.shape[:1]:
        raise ValueError(f"nll_loss: expected log_probs (N, C) and targets (N,), got "
                         f"{lp.shape} and {targets.shape}")
    keep = targets != ignore_index
    rows = np.nonzero(keep)[0]
    picked = -lp[rows, targets[keep]]
    if reduction == "none":
        return picked
    return picked.sum() if reduction == "sum" else picked.mean()


def binary_cross_entropy(input, target, reduction: str = "mean") -> Tensor:
    input = _t(input)
    return _loss.BinaryCrossEntropy.apply(input, _t(target, input), reduction=reduction)


def binary_cross_entropy_with_logits(input, target, reduction: str = "mean") -> Tensor:
    input = _t(input)
    return _loss.BinaryCrossEntropyWithLogits.apply(input, _t(target, input),
                                                    reduction=reduction)


def mse_loss(input, target, reduction: str = "mean") -> Tensor:
    """Mean squared error; ``reduction="half_sum"`` is the book's ½Σ(ŷ − y)²."""
    input = _t(input)
    return _loss.MSELoss.apply(input, _t(target, input), reduction=reduction)


# ----- network blocks ---------------------------------------------------------------
def layer_norm(x, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    return _nn.LayerNorm.apply(_t(x), weight, bias, normalized_shape=tuple(normalized_shape),
                               eps=eps)


def embedding(ids, weight, padding_idx=None) -> Tensor:
    ids = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
    return _nn.Embedding.apply(ids, weight, padding_idx=padding_idx)


def dropout(x, p: float = 0.5, training: bool = True) -> Tensor:
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout: p must be in [0, 1), got {p}")
    if not training or p == 0.0:
        return _t(x)
    return _nn.Dropout.apply(_t(x), p=p)


def scaled_dot_product_attention(q, k, v, mask=None, is_causal: bool = False,
                                 scale: float | None = None) -> Tensor:
    """softmax(QKᵀ/√d) V; ``mask`` is bool (True = may attend), broadcast to the scores."""
    mask = mask.data if isinstance(mask, Tensor) else mask
    return _nn.ScaledDotProductAttention.apply(_t(q), _t(k), _t(v), mask, is_causal=is_causal,
                                               scale=scale)


def lstm(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
    """One LSTM layer over a time-major sequence; returns (outputs, h_T, c_T)."""
    return _nn.LSTM.apply(_t(x), _t(h0), _t(c0), w_ih, w_hh, b_ih, b_hh)


# ----- selection --------------------------------------------------------------------
def where(cond, a, b) -> Tensor:
    cond = cond.data if isinstance(cond, Tensor) else np.asarray(cond)
    a = _t(a)
    return _el.Where.apply(cond, a, _t(b, a))


def masked_fill(x, mask, value) -> Tensor:
    mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    return _el.MaskedFill.apply(_t(x), mask, value=value)


def concatenate(tensors, axis: int = 0) -> Tensor:
    return _sh.Concatenate.apply(*[_t(t) for t in tensors], axis=axis)


def stack(tensors, axis: int = 0) -> Tensor:
    return _sh.Stack.apply(*[_t(t) for t in tensors], axis=axis)


cat = concatenate
