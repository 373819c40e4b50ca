"""Kernels: array-in, array-out functions for the hot path, in two interchangeable twins.

Each public function below checks its arguments, then calls the implementation of the
current backend (looked up on every call, see :mod:`tinyllm.kernels.backend`):

- ``tinyllm/kernels/reference/<family>.py`` — the NumPy reference: the formula with
  whole-array NumPy operations. Read this first.
- ``tinyllm/kernels/jit/<family>.py`` — the Numba twin: same signature, same results
  (float64 to 1e-10, float32 to 1e-5, held by the parity tests), written as fused loops
  so each array is read once instead of once per NumPy operation.

Switching backend changes speed, never results. Arrays keep their dtype (float32 in,
float32 out); all float arguments of one call must share a dtype.
"""

from __future__ import annotations

import numpy as np

from . import _checks as C
from . import reference
from .backend import get_backend, numba_available, set_backend, use_backend

__all__ = [
    "get_backend", "set_backend", "use_backend", "numba_available",
    "matmul", "matmul_tiled", "matmul_choice", "softmax", "log_softmax",
    "cross_entropy_forward", "cross_entropy_backward", "layer_norm_forward",
    "layer_norm_backward", "gelu_forward", "gelu_backward", "embedding_forward",
    "embedding_backward", "lstm_forward", "lstm_backward", "attention_forward",
    "attention_backward", "qkv_attention_forward", "qkv_attention_backward", "adam_update",
]


def _impl(name: str):
    """The function ``name`` of the current backend."""
    if get_backend() == "numba":
        from . import jit

        return getattr(jit, name)
    return getattr(reference, name)


# --- matmul ----------------------------------------------------------------------------


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.matmul`` semantics (batched, broadcasting). See :func:`matmul_choice`."""
    C.float_array(a, "matmul", "a", min_ndim=1)
    C.float_array(b, "matmul", "b", min_ndim=1)
    C.same_dtype("matmul", "a", a, b=b)
    if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
        raise ValueError(f"matmul: inner dimensions differ: a {a.shape} @ b {b.shape}")
    return _impl("matmul")(a, b)


def matmul_tiled(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """2-D C = A·B by explicit TILE×TILE blocking (the teaching kernel; BLAS is faster)."""
    C.float_array(a, "matmul_tiled", "a", ndim=2)
    C.float_array(b, "matmul_tiled", "b", ndim=2)
    C.same_dtype("matmul_tiled", "a", a, b=b)
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul_tiled: inner dimensions differ: a {a.shape} @ b {b.shape}")
    return _impl("matmul_tiled")(a, b)


def matmul_choice(a: np.ndarray, b: np.ndarray) -> str:
    """Which path :func:`matmul` takes for these operands, and why (a one-line string).

    The string starts with ``"blas"`` or ``"tiled"``.
    """
    if get_backend() == "numba":
        from .jit.matmul import matmul_choice as choice

        return choice(a, b)
    return "blas: numpy backend, np.matmul (OpenBLAS/MKL) for every size"


# --- softmax and cross-entropy ---------------------------------------------------------


def softmax(x: np.ndarray) -> np.ndarray:
    """softmax over the last axis, stable: exp(x − max) / Σ exp(x − max)."""
    C.float_array(x, "softmax", "x", min_ndim=1)
    return _impl("softmax")(x)


def log_softmax(x: np.ndarray) -> np.ndarray:
    """log-softmax over the last axis: (x − max) − log Σ exp(x − max)."""
    C.float_array(x, "log_softmax", "x", min_ndim=1)
    return _impl("log_softmax")(x)


def _check_ce_targets(fn, targets, n, c, ignore_index):
    targets = C.int_array(targets, fn, "targets")
    C.shape_is(fn, "targets", targets, (n,))
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{fn}: ignore_index must be an int, got {ignore_index!r}")
    bad = (targets != ignore_index) & ((targets < 0) | (targets >= c))
    if bad.any():
        raise ValueError(
            f"{fn}: targets must lie in [0, {c}) or equal ignore_index={ignore_index}; "
            f"found {targets[bad][0]}"
        )
    return targets


def _check_smoothing(fn, label_smoothing):
    eps = C.finite_number(label_smoothing, fn, "label_smoothing")
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must be in [0, 1], got {eps}")
    return eps


def cross_entropy_forward(logits, targets, ignore_index=-100, label_smoothing=0.0):
    """Fused softmax + cross-entropy. logits (N, C), targets (N,) ints.

    loss_n = (1 − ε)·(−log p_{n,t}) + ε·mean_c(−log p_{n,c}), 0 where t == ignore_index.
    Returns ``(loss_rows (N,), probs (N, C))``; the probs are what the backward needs.
    """
    fn = "cross_entropy_forward"
    C.float_array(logits, fn, "logits", ndim=2)
    n, c = logits.shape
    targets = _check_ce_targets(fn, targets, n, c, ignore_index)
    eps = _check_smoothing(fn, label_smoothing)
    return _impl(fn)(logits, targets, int(ignore_index), eps)


def cross_entropy_backward(probs, targets, grad_rows, ignore_index=-100, label_smoothing=0.0):
    """dlogits = (probs − ((1 − ε)·onehot(t) + ε/C)) · grad_rows[:, None]; ignored rows 0."""
    fn = "cross_entropy_backward"
    C.float_array(probs, fn, "probs", ndim=2)
    n, c = probs.shape
    targets = _check_ce_targets(fn, targets, n, c, ignore_index)
    C.float_array(grad_rows, fn, "grad_rows", ndim=1)
    C.shape_is(fn, "grad_rows", grad_rows, (n,))
    eps = _check_smoothing(fn, label_smoothing)
    grad_rows = grad_rows.astype(probs.dtype, copy=False)
    return _impl(fn)(probs, targets, grad_rows, int(ignore_index), eps)


# --- layer norm ------------------------------------------------------------------------


def layer_norm_forward(x, weight=None, bias=None, eps=1e-5):
    """Normalise each row (last axis) of x: y = (x − μ)/√(σ² + eps)·w + b.

    x (N, D) (any leading shape works), weight/bias (D,) or None.
    Returns ``(y, mean, rstd)`` with mean, rstd of shape x.shape[:-1].
    """
    fn = "layer_norm_forward"
    C.float_array(x, fn, "x", min_ndim=1)
    d = x.shape[-1]
    for name, arr in (("weight", weight), ("bias", bias)):
        if arr is not None:
            C.float_array(arr, fn, name)
            C.shape_is(fn, name, arr, (d,))
    C.same_dtype(fn, "x", x, weight=weight, bias=bias)
    eps = C.finite_number(eps, fn, "eps")
    if eps < 0:
        raise ValueError(f"{fn}: eps must be >= 0, got {eps}")
    return _impl(fn)(x, weight, bias, eps)


def layer_norm_backward(dy, x, weight, mean, rstd):
    """→ (dx, dweight, dbias); dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·w."""
    fn = "layer_norm_backward"
    C.float_array(x, fn, "x", min_ndim=1)
    C.float_array(dy, fn, "dy")
    C.shape_is(fn, "dy", dy, x.shape)
    C.float_array(mean, fn, "mean")
    C.float_array(rstd, fn, "rstd")
    C.shape_is(fn, "mean", mean, x.shape[:-1])
    C.shape_is(fn, "rstd", rstd, x.shape[:-1])
    if weight is not None:
        C.float_array(weight, fn, "weight")
        C.shape_is(fn, "weight", weight, (x.shape[-1],))
    C.same_dtype(fn, "x", x, dy=dy, weight=weight, mean=mean, rstd=rstd)
    return _impl(fn)(dy, x, weight, mean, rstd)


# --- GELU ------------------------------------------------------------------------------


def _check_approx(fn, approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"{fn}: approximate must be 'none' or 'tanh', got {approximate!r}")


def gelu_forward(x, approximate="none"):
    """gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2)); "tanh": ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    C.float_array(x, "gelu_forward", "x")
    _check_approx("gelu_forward", approximate)
    return _impl("gelu_forward")(x, approximate)


def gelu_backward(dy, x, approximate="none"):
    """dx = dy·gelu'(x); exact gelu'(x) = Φ(x) + x·φ(x)."""
    fn = "gelu_backward"
    C.float_array(x, fn, "x")
    C.float_array(dy, fn, "dy")
    C.shape_is(fn, "dy", dy, x.shape)
    C.same_dtype(fn, "x", x, dy=dy)
    _check_approx(fn, approximate)
    return _impl(fn)(dy, x, approximate)


# --- embedding -------------------------------------------------------------------------


def _check_ids(fn, ids, num_embeddings):
    ids = C.int_array(ids, fn, "ids")
    if ids.size and (ids.min() < 0 or ids.max() >= num_embeddings):
        raise ValueError(
            f"{fn}: ids must lie in [0, {num_embeddings}), got range "
            f"[{ids.min()}, {ids.max()}]"
        )
    return ids


def embedding_forward(weight, ids):
    """weight (V, D), ids (any int shape) → weight[ids], shape ids.shape + (D,)."""
    C.float_array(weight, "embedding_forward", "weight", ndim=2)
    ids = _check_ids("embedding_forward", ids, weight.shape[0])
    return _impl("embedding_forward")(weight, ids)


def embedding_backward(ids, dout, num_embeddings, padding_idx=None):
    """dW (num_embeddings, D): dW[r] = Σ_{p: ids[p] = r} dout[p]; padding row gets 0."""
    fn = "embedding_backward"
    if isinstance(num_embeddings, bool) or not isinstance(num_embeddings, (int, np.integer)):
        raise TypeError(f"{fn}: num_embeddings must be an int, got {num_embeddings!r}")
    if num_embeddings < 1:
        raise ValueError(f"{fn}: num_embeddings must be >= 1, got {num_embeddings}")
    num_embeddings = int(num_embeddings)
    ids = _check_ids(fn, ids, num_embeddings)
    C.float_array(dout, fn, "dout", min_ndim=1)
    C.shape_is(fn, "dout", dout, ids.shape + dout.shape[-1:])
    if padding_idx is not None:
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)):
            raise TypeError(f"{fn}: padding_idx must be None or an int, got {padding_idx!r}")
        if not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(
                f"{fn}: padding_idx={padding_idx} out of range for {num_embeddings} rows"
            )
        padding_idx = int(padding_idx) % num_embeddings
    return _impl(fn)(ids, dout, num_embeddings, padding_idx)


# --- LSTM ------------------------------------------------------------------------------


def _check_lstm_weights(fn, x, w_ih, w_hh, h0, c0):
    C.float_array(x, fn, "x", ndim=3)
    C.float_array(h0, fn, "h0", ndim=2)
    t_len, batch, inp = x.shape
    hid = h0.shape[1]
    C.shape_is(fn, "h0", h0, (batch, hid))
    C.float_array(c0, fn, "c0")
    C.shape_is(fn, "c0", c0, (batch, hid))
    C.float_array(w_ih, fn, "w_ih")
    C.shape_is(fn, "w_ih", w_ih, (4 * hid, inp))
    C.float_array(w_hh, fn, "w_hh")
    C.shape_is(fn, "w_hh", w_hh, (4 * hid, hid))
    if t_len < 1:
        raise ValueError(f"{fn}: x must have at least one time step, got shape {x.shape}")
    return t_len, batch, hid


def lstm_forward(x, h0, c0, w_ih, w_hh, b):
    """Whole-sequence LSTM forward, x (T, B, I) time-major, gate order i, f, g, o.

    Returns ``(hs, cs, gates)``: hs, cs (T, B, H); gates (T, B, 4H) post-activation.
    """
    fn = "lstm_forward"
    _, _, hid = _check_lstm_weights(fn, x, w_ih, w_hh, h0, c0)
    C.float_array(b, fn, "b")
    C.shape_is(fn, "b", b, (4 * hid,))
    C.same_dtype(fn, "x", x, h0=h0, c0=c0, w_ih=w_ih, w_hh=w_hh, b=b)
    return _impl(fn)(x, h0, c0, w_ih, w_hh, b)


def lstm_backward(dhs, dhT, dcT, x, h0, c0, w_ih, w_hh, hs, cs, gates):
    """Backpropagation through time for :func:`lstm_forward`.

    dhs (T, B, H): gradient into each hs[t] from above; dhT, dcT (B, H): gradient into
    the final h and c. Returns ``(dx, dh0, dc0, dw_ih, dw_hh, db)``.
    """
    fn = "lstm_backward"
    t_len, batch, hid = _check_lstm_weights(fn, x, w_ih, w_hh, h0, c0)
    for name, arr, shape in (
        ("dhs", dhs, (t_len, batch, hid)), ("dhT", dhT, (batch, hid)),
        ("dcT", dcT, (batch, hid)), ("hs", hs, (t_len, batch, hid)),
        ("cs", cs, (t_len, batch, hid)), ("gates", gates, (t_len, batch, 4 * hid)),
    ):
        C.float_array(arr, fn, name)
        C.shape_is(fn, name, arr, shape)
    C.same_dtype(fn, "x", x, dhs=dhs, dhT=dhT, dcT=dcT, h0=h0, c0=c0, w_ih=w_ih,
                 w_hh=w_hh, hs=hs, cs=cs, gates=gates)
    return _impl(fn)(dhs, dhT, dcT, x, h0, c0, w_ih, w_hh, hs, cs, gates)


# --- attention -------------------------------------------------------------------------


def _check_qkv(fn, q, k, v):
    C.float_array(q, fn, "q", min_ndim=2)
    C.float_array(k, fn, "k", ndim=q.ndim)
    C.float_array(v, fn, "v", ndim=q.ndim)
    C.same_dtype(fn, "q", q, k=k, v=v)
    if k.shape[:-2] != q.shape[:-2] or k.shape[-1] != q.shape[-1]:
        raise ValueError(f"{fn}: k {k.shape} does not match q {q.shape} (… , T, D)")
    if v.shape[:-1] != k.shape[:-1]:
        raise ValueError(f"{fn}: v {v.shape} must have the same (…, Tk) as k {k.shape}")


def attention_forward(q, k, v, mask=None, causal=False, scale=None):
    """Causal/masked scaled dot-product attention: P = softmax(scale·QKᵀ + mask), out = P·V.

    q (B, H, Tq, D), k/v (B, H, Tk, D) (any matching leading dims); mask: None or bool
    broadcastable to (…, Tq, Tk), True = may attend; causal: key j ≤ i + (Tk − Tq);
    scale defaults to 1/√D. Fully masked rows give zeros. Returns ``(out, probs)``.
    """
    fn = "attention_forward"
    _check_qkv(fn, q, k, v)
    tq, tk = q.shape[-2], k.shape[-2]
    if mask is not None:
        if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
            raise TypeError(f"{fn}: mask must be None or a boolean numpy array")
        try:
            np.broadcast_shapes(mask.shape, q.shape[:-2] + (tq, tk))
        except ValueError:
            raise ValueError(
                f"{fn}: mask {mask.shape} is not broadcastable to {q.shape[:-2] + (tq, tk)}"
            ) from None
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else C.finite_number(scale, fn, "scale")
    return _impl(fn)(q, k, v, mask, bool(causal), float(scale))


def attention_backward(dout, q, k, v, probs, scale=None):
    """→ (dq, dk, dv) for :func:`attention_forward` given its saved probs."""
    fn = "attention_backward"
    _check_qkv(fn, q, k, v)
    C.float_array(dout, fn, "dout")
    C.shape_is(fn, "dout", dout, q.shape[:-1] + v.shape[-1:])
    C.float_array(probs, fn, "probs")
    C.shape_is(fn, "probs", probs, q.shape[:-1] + (k.shape[-2],))
    C.same_dtype(fn, "q", q, dout=dout, probs=probs)
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else C.finite_number(scale, fn, "scale")
    return _impl(fn)(dout, q, k, v, probs, float(scale))


def _check_qkv_layout(fn, qkv, n_head, seq_len):
    C.float_array(qkv, fn, "qkv", ndim=2)
    for name, v in (("n_head", n_head), ("seq_len", seq_len)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{fn}: {name} must be a positive int, got {v!r}")
    rows, c3 = qkv.shape
    if c3 % (3 * n_head) or rows % seq_len:
        raise ValueError(f"{fn}: qkv must be (B·T, 3·C) with T = seq_len={seq_len} dividing "
                         f"the rows and 3·C divisible by 3·n_head={3 * n_head}, got {qkv.shape}")


def qkv_attention_forward(qkv, n_head, seq_len, key_keep=None, scale=None):
    """Causal multi-head attention read from a fused projection (a GPT block's c_attn).

    qkv (B·T, 3C): row b·T + i holds [q | k | v] of token i of sequence b, heads side by
    side (D = C/n_head columns each). key_keep: None or bool (B, T), False = padding key.
    Per head: P = softmax(scale·Q Kᵀ + causal/padding mask), Y = P V. Returns
    ``(y (B·T, C), probs (B, H, T, T))``; fully masked rows give zeros.
    """
    fn = "qkv_attention_forward"
    _check_qkv_layout(fn, qkv, n_head, seq_len)
    if key_keep is not None:
        if not isinstance(key_keep, np.ndarray) or key_keep.dtype != np.bool_:
            raise TypeError(f"{fn}: key_keep must be None or a boolean numpy array")
        C.shape_is(fn, "key_keep", key_keep, (qkv.shape[0] // seq_len, seq_len))
    d = qkv.shape[1] // (3 * n_head)
    scale = 1.0 / np.sqrt(d) if scale is None else C.finite_number(scale, fn, "scale")
    return _impl(fn)(qkv, int(n_head), int(seq_len), key_keep, float(scale))


def qkv_attention_backward(dy, qkv, probs, n_head, seq_len, scale=None):
    """→ ∂L/∂qkv (B·T, 3C) for :func:`qkv_attention_forward`, given its saved probs."""
    fn = "qkv_attention_backward"
    _check_qkv_layout(fn, qkv, n_head, seq_len)
    rows, c3 = qkv.shape
    C.float_array(dy, fn, "dy")
    C.shape_is(fn, "dy", dy, (rows, c3 // 3))
    C.float_array(probs, fn, "probs")
    C.shape_is(fn, "probs", probs, (rows // seq_len, n_head, seq_len, seq_len))
    C.same_dtype(fn, "qkv", qkv, dy=dy, probs=probs)
    d = c3 // (3 * n_head)
    scale = 1.0 / np.sqrt(d) if scale is None else C.finite_number(scale, fn, "scale")
    return _impl(fn)(dy, qkv, probs, int(n_head), int(seq_len), float(scale))


# --- Adam / AdamW ----------------------------------------------------------------------


def adam_update(param, grad, m, v, step, lr, beta1=0.9, beta2=0.999, eps=1e-8,
                weight_decay=0.0, decoupled=True):
    """One fused Adam (decoupled=False, L2) or AdamW (decoupled=True) step, IN PLACE.

    param, m, v are updated in place (contiguous float arrays of one shape and dtype);
    step is the 1-based step count used for bias correction. Returns None.
    """
    fn = "adam_update"
    for name, arr in (("param", param), ("grad", grad), ("m", m), ("v", v)):
        C.float_array(arr, fn, name)
        C.shape_is(fn, name, arr, param.shape)
        if name != "grad" and not arr.flags.c_contiguous:
            raise ValueError(f"{fn}: {name} must be C-contiguous (it is updated in place)")
        if name != "grad" and not arr.flags.writeable:
            raise ValueError(f"{fn}: {name} must be writeable (it is updated in place)")
    C.same_dtype(fn, "param", param, grad=grad, m=m, v=v)
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"{fn}: step must be an int >= 1 (1-based), got {step!r}")
    lr = C.finite_number(lr, fn, "lr")
    beta1 = C.finite_number(beta1, fn, "beta1")
    beta2 = C.finite_number(beta2, fn, "beta2")
    eps = C.finite_number(eps, fn, "eps")
    weight_decay = C.finite_number(weight_decay, fn, "weight_decay")
    for name, beta in (("beta1", beta1), ("beta2", beta2)):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"{fn}: {name} must be in [0, 1), got {beta}")
    _impl(fn)(param, grad, m, v, int(step), lr, beta1, beta2, eps, weight_decay,
              bool(decoupled))
