"""Loss functions (book §3.1 and §4.4.2): how wrong the model is, as one number."""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..autograd.function import Function
from ._util import check_float

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(op: str, reduction: str, allowed=_REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"{op}: reduction must be one of {allowed}, got {reduction!r}")


def _reduce(per_item: np.ndarray, reduction: str, count=None) -> np.ndarray:
    if reduction == "none":
        return per_item
    total = per_item.sum()
    if reduction == "sum":
        return np.asarray(total)
    n = per_item.size if count is None else count
    return np.asarray(total / n if n else np.nan, dtype=per_item.dtype)


def _reduce_grad(g: np.ndarray, shape: tuple, reduction: str, dtype, count=None) -> np.ndarray:
    """∂L/∂(per-item loss) for each reduction: g itself, g broadcast, or g/n."""
    if reduction == "none":
        return g.astype(dtype, copy=False)
    n = int(np.prod(shape)) if count is None else count
    scale = 1.0 if reduction == "sum" else 1.0 / max(n, 1)
    return np.full(shape, g * scale, dtype=dtype)


class CrossEntropy(Function):
    """Softmax cross-entropy on class indices, fused with log-softmax.

    For logits z of one row and target class t:  L = −log softmax(z)_t
    = −z_t + log Σ_c e^(z_c).  With label smoothing ε the target distribution is
    q = (1−ε)·onehot(t) + ε/C, and L = −Σ_c q_c log softmax(z)_c.
    Derivative: ∂L/∂z = softmax(z) − q — no division, so it is exact even when p_t → 0.
    Rows whose target equals ``ignore_index`` contribute nothing, and the mean is over
    the rows that remain (PyTorch's convention).
    """

    @staticmethod
    def forward(ctx, logits, targets, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
        check_float(logits, "cross_entropy", "logits")
        _check_reduction("cross_entropy", reduction)
        targets = np.asarray(targets)
        if targets.dtype.kind not in "iu":
            raise TypeError(f"cross_entropy: targets must be integer class indices, got dtype "
                            f"{targets.dtype} (for probabilities use binary_cross_entropy or "
                            "convert labels with .astype(np.int64))")
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                             f"{label_smoothing}")
        # Accept (N, C), (C,) with a scalar target, and PyTorch's (N, C, d1, …).
        if logits.ndim == 1:
            z2, t1 = logits[None, :], targets.reshape(1)
        elif logits.ndim == 2:
            z2, t1 = logits, targets
        else:
            z2 = np.moveaxis(logits, 1, -1).reshape(-1, logits.shape[1])
            t1 = targets.reshape(-1)
        expected_t = logits.shape[:1] + logits.shape[2:] if logits.ndim > 1 else ()
        if targets.shape != expected_t:
            raise ValueError(f"cross_entropy: logits of shape {logits.shape} need targets of "
                             f"shape {expected_t}, got {targets.shape}")
        n_classes = z2.shape[1]
        valid = t1 != ignore_index
        bad = valid & ((t1 < 0) | (t1 >= n_classes))
        if bad.any():
            raise ValueError(f"cross_entropy: target {int(t1[bad][0])} is out of range for "
                             f"{n_classes} classes (valid: 0..{n_classes - 1}, or "
                             f"ignore_index={ignore_index})")
        z2 = np.ascontiguousarray(z2)
        t1 = np.ascontiguousarray(t1, dtype=np.int64)
        loss_rows, probs = kernels.cross_entropy_forward(z2, t1, ignore_index, label_smoothing)
        count = int(valid.sum())
        ctx.save_for_backward(probs, t1)
        ctx.opts = (ignore_index, label_smoothing, reduction, count, logits.shape)
        if reduction == "none":
            return loss_rows.reshape(expected_t)
        return _reduce(loss_rows, reduction, count)

    @staticmethod
    def backward(ctx, g):
        probs, t1 = ctx.saved
        ignore_index, eps, reduction, count, shape = ctx.opts
        grad_rows = _reduce_grad(g.reshape(-1) if reduction == "none" else g,
                                 (probs.shape[0],), reduction, probs.dtype, count)
        d = kernels.cross_entropy_backward(probs, t1, grad_rows, ignore_index, eps)
        if len(shape) == 1:
            return d[0], None
        if len(shape) > 2:
            moved = (shape[0],) + shape[2:] + (shape[1],)
            d = np.moveaxis(d.reshape(moved), -1, 1)
        return d, None


class BinaryCrossEntropy(Function):
    """BCE on probabilities p ∈ (0, 1) with targets y ∈ [0, 1]:

        L = −[y·log p + (1−y)·log(1−p)],   ∂L/∂p = (p − y) / (p(1−p)),
        ∂L/∂y = log(1−p) − log p.

    As in PyTorch, each log is clamped at −100 so p = 0 or 1 gives a finite loss.
    Prefer :class:`BinaryCrossEntropyWithLogits` after a sigmoid: it is exact.
    """

    @staticmethod
    def forward(ctx, p, y, reduction="mean"):
        check_float(p, "binary_cross_entropy", "input")
        _check_reduction("binary_cross_entropy", reduction)
        if p.shape != np.shape(y):
            raise ValueError(f"binary_cross_entropy: input {p.shape} and target {np.shape(y)} "
                             "must have the same shape")
        if np.any((p < 0) | (p > 1)):
            raise ValueError("binary_cross_entropy: input must be probabilities in [0, 1] "
                             "(apply a sigmoid, or use binary_cross_entropy_with_logits)")
        y = np.asarray(y, dtype=p.dtype)
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100.0)
            log_1p = np.maximum(np.log1p(-p), -100.0)
        per = -(y * log_p + (1 - y) * log_1p)
        ctx.save_for_backward(p, y, log_p, log_1p)
        ctx.reduction = reduction
        return _reduce(per.astype(p.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        p, y, log_p, log_1p = ctx.saved
        gl = _reduce_grad(g, p.shape, ctx.reduction, p.dtype)
        gp = gl * (p - y) / np.maximum(p * (1 - p), 1e-12)
        gy = gl * (log_1p - log_p) if ctx.needs_input_grad[1] else None
        return gp, gy


class BinaryCrossEntropyWithLogits(Function):
    """BCE on a logit z (before the sigmoid), computed without ever forming σ(z):

        L = max(z, 0) − z·y + log(1 + e^(−|z|))        (= −[y log σ(z) + (1−y) log(1−σ(z))])
        ∂L/∂z = σ(z) − y,   ∂L/∂y = −z.

    Exact and finite for |z| up to the float range.
    """

    @staticmethod
    def forward(ctx, z, y, reduction="mean"):
        check_float(z, "binary_cross_entropy_with_logits", "input")
        _check_reduction("binary_cross_entropy_with_logits", reduction)
        if z.shape != np.shape(y):
            raise ValueError(f"binary_cross_entropy_with_logits: input {z.shape} and target "
                             f"{np.shape(y)} must have the same shape")
        y = np.asarray(y, dtype=z.dtype)
        per = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        ctx.save_for_backward(z, y)
        ctx.reduction = reduction
        return _reduce(per, reduction)

    @staticmethod
    def backward(ctx, g):
        from .activations import stable_sigmoid

        z, y = ctx.saved
        gl = _reduce_grad(g, z.shape, ctx.reduction, z.dtype)
        gy = -gl * z if ctx.needs_input_grad[1] else None
        return gl * (stable_sigmoid(z) - y), gy


class MSELoss(Function):
    """Mean squared error. Per element e = (ŷ − y)²; ∂e/∂ŷ = 2(ŷ − y), ∂e/∂y = −2(ŷ − y).

    ``reduction="mean"`` gives (1/n)Σ(ŷ−y)² (PyTorch's default); ``"half_sum"`` gives the
    book's form ½Σ(ŷ−y)², whose derivative is simply (ŷ − y).
    """

    @staticmethod
    def forward(ctx, pred, target, reduction="mean"):
        check_float(pred, "mse_loss", "input")
        _check_reduction("mse_loss", reduction, _REDUCTIONS + ("half_sum",))
        if pred.shape != np.shape(target):
            raise ValueError(f"mse_loss: input {pred.shape} and target {np.shape(target)} must "
                             "have the same shape")
        diff = pred - np.asarray(target, dtype=pred.dtype)
        ctx.save_for_backward(diff)
        ctx.reduction = reduction
        if reduction == "half_sum":
            return np.asarray(0.5 * np.sum(diff * diff), dtype=pred.dtype)
        return _reduce(diff * diff, reduction)

    @staticmethod
    def backward(ctx, g):
        (diff,) = ctx.saved
        if ctx.reduction == "half_sum":
            gd = g * diff
        else:
            gd = 2.0 * _reduce_grad(g, diff.shape, ctx.reduction, diff.dtype) * diff
        gt = -gd if ctx.needs_input_grad[1] else None
        return gd, gt
