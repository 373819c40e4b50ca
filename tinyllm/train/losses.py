"""Loss functions by name, each paired with the rule that turns outputs into labels.

A training loop needs two things from a loss: the loss itself (a scalar Tensor to call
``backward`` on) and, for metrics such as accuracy, how to read a predicted class off the
model's outputs. Both depend on what the outputs *are*:

=============================  =================  ===========================  ============
name                           model output       loss                         label rule
=============================  =================  ===========================  ============
``cross_entropy``              logits [N, C]      −log softmax(z)[y]           argmax
``sparse_categorical_cross…``  probabilities      −log p[y]                    argmax
``categorical_crossentropy``   probabilities      −Σ_c y_c log p_c (one-hot)   argmax
``binary_cross_entropy``       probability [N(,1)] −[y log p + (1−y) log(1−p)] p > 0.5
``bce_with_logits``            logit [N(,1)]      the same on σ(z), computed   z > 0
                                                  stably
``mse``                        values             mean (ŷ − y)²                none
=============================  =================  ===========================  ============

Keras' names (``binary_crossentropy``, ``sparse_categorical_crossentropy``,
``mean_squared_error``) are accepted as aliases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import functional as F
from ..autograd.tensor import Tensor

__all__ = ["LossSpec", "get_loss", "LOSS_NAMES"]


@dataclass(frozen=True)
class LossSpec:
    """A loss ``fn(outputs, targets) -> scalar Tensor`` plus the label rules for metrics.

    ``predict(outputs: ndarray) -> labels`` (None for regression) and
    ``target_labels(targets: ndarray) -> labels``.
    """

    name: str
    fn: Callable
    predict: Callable | None
    target_labels: Callable


def _as_column_like(outputs: Tensor, targets) -> Tensor:
    """Targets for a one-output model: give them the outputs' shape ([N] or [N, 1])."""
    y = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    y = y.astype(outputs.data.dtype, copy=False)
    if y.size != outputs.data.size:
        raise ValueError(f"loss: outputs of shape {outputs.shape} but {y.size} targets "
                         f"(shape {y.shape})")
    return Tensor(y.reshape(outputs.shape))


def _bce(outputs, targets):
    return F.binary_cross_entropy(outputs, _as_column_like(outputs, targets))


def _bce_logits(outputs, targets):
    return F.binary_cross_entropy_with_logits(outputs, _as_column_like(outputs, targets))


def _mse(outputs, targets):
    return F.mse_loss(outputs, _as_column_like(outputs, targets))


def _int_targets(targets) -> np.ndarray:
    y = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if y.dtype.kind not in "iu":
        if y.dtype.kind == "f" and np.all(y == np.round(y)):
            return y.astype(np.int64)
        raise TypeError(f"loss: class targets must be integers, got dtype {y.dtype}")
    return y.reshape(-1).astype(np.int64, copy=False)


def _cross_entropy(outputs, targets):
    return F.cross_entropy(outputs, _int_targets(targets))


def _sparse_cce(outputs, targets):
    # Probabilities in; like Keras, clip them away from 0 before the log.
    logp = outputs.clip(1e-7, 1.0).log()
    return F.nll_loss(logp, _int_targets(targets))


def _cce(outputs, targets):
    y = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if y.shape != outputs.shape:
        raise ValueError(f"categorical_crossentropy: one-hot targets must have the outputs' "
                         f"shape {outputs.shape}, got {y.shape}")
    logp = outputs.clip(1e-7, 1.0).log()
    return -(logp * Tensor(y.astype(outputs.data.dtype))).sum(axis=-1).mean()


def _argmax(outputs: np.ndarray) -> np.ndarray:
    return np.asarray(outputs).argmax(axis=-1)


def _threshold(level: float):
    def rule(outputs: np.ndarray) -> np.ndarray:
        return (np.asarray(outputs).reshape(len(outputs), -1)[:, 0] > level).astype(np.int64)
    return rule


def _labels_flat(targets: np.ndarray) -> np.ndarray:
    return np.asarray(targets).reshape(len(targets), -1)[:, 0].astype(np.int64)


def _labels_onehot(targets: np.ndarray) -> np.ndarray:
    return np.asarray(targets).argmax(axis=-1)


_SPECS = {
    "cross_entropy": (_cross_entropy, _argmax, _labels_flat),
    "sparse_categorical_crossentropy": (_sparse_cce, _argmax, _labels_flat),
    "categorical_crossentropy": (_cce, _argmax, _labels_onehot),
    "binary_cross_entropy": (_bce, _threshold(0.5), _labels_flat),
    "bce_with_logits": (_bce_logits, _threshold(0.0), _labels_flat),
    "mse": (_mse, None, lambda y: np.asarray(y)),
}
_ALIASES = {
    "ce": "cross_entropy", "binary_crossentropy": "binary_cross_entropy",
    "bce": "binary_cross_entropy", "binary_cross_entropy_with_logits": "bce_with_logits",
    "mean_squared_error": "mse", "sparse_categorical_cross_entropy":
    "sparse_categorical_crossentropy",
}
LOSS_NAMES = sorted(set(_SPECS) | set(_ALIASES))


def get_loss(loss, predict: Callable | None = None) -> LossSpec:
    """Resolve ``loss`` (a name from :data:`LOSS_NAMES`, or a callable
    ``fn(outputs, targets) -> Tensor``) into a :class:`LossSpec`.

    For a callable, ``predict`` gives the label rule (default: argmax over the last axis
    when it has more than one entry, else ``> 0.5``... see :func:`default_predict`).
    """
    if isinstance(loss, LossSpec):
        return loss
    if isinstance(loss, str):
        key = _ALIASES.get(loss.lower(), loss.lower())
        if key not in _SPECS:
            raise ValueError(f"get_loss: unknown loss {loss!r}; choose from {LOSS_NAMES} or "
                             "pass a callable fn(outputs, targets) -> Tensor")
        fn, rule, labels = _SPECS[key]
        return LossSpec(key, fn, predict or rule, labels)
    if callable(loss):
        name = getattr(loss, "__name__", type(loss).__name__)
        return LossSpec(name, loss, predict or default_predict, _labels_flat)
    raise TypeError(f"get_loss: loss must be a name or a callable, got {type(loss).__name__}")


def default_predict(outputs: np.ndarray) -> np.ndarray:
    """argmax over the last axis for several outputs per example; ``> 0.5`` for one."""
    out = np.asarray(outputs)
    if out.ndim >= 2 and out.shape[-1] > 1:
        return out.argmax(axis=-1)
    return _threshold(0.5)(out)
