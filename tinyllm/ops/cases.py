"""One float64 gradcheck case (or more) for every registered ``Function``.

``tinyllm gradcheck`` and the test suite both run :func:`run_all`, and the suite fails if
a Function in :data:`tinyllm.autograd.REGISTRY` has no case here — so a new op cannot
land without its derivative being checked. Packages that define their own Functions
register cases with the :func:`case` decorator.

A case is a zero-argument function returning ``(fn, inputs)`` for :func:`gradcheck`.
"""

from __future__ import annotations

import numpy as np

from ..autograd.gradcheck import gradcheck
from ..autograd.tensor import Tensor

#: Function name -> list of case builders
CASES: dict[str, list] = {}


def case(name: str):
    """Decorator: register a gradcheck case for the Function called ``name``."""
    def register(builder):
        CASES.setdefault(name, []).append(builder)
        return builder
    return register


def _r(*shape, seed=0, low=None):
    x = np.random.default_rng(seed + 17 * len(shape)).standard_normal(shape)
    return np.abs(x) + low if low is not None else x


def _leaf(a):
    return Tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


# Elementwise — with broadcasting between (3, 4) and (4,) / (3, 1).
@case("Add")
def _add():
    return (lambda a, b: a + b), [_leaf(_r(3, 4)), _leaf(_r(4, seed=1))]


@case("Sub")
def _sub():
    return (lambda a, b: a - b), [_leaf(_r(3, 1)), _leaf(_r(2, 3, 4, seed=1))]


@case("Mul")
def _mul():
    return (lambda a, b: a * b), [_leaf(_r(2, 3, 4)), _leaf(_r(3, 1, seed=1))]


@case("Div")
def _div():
    return (lambda a, b: a / b), [_leaf(_r(3, 4)), _leaf(_r(4, seed=1, low=0.5))]


@case("Neg")
def _neg():
    return (lambda a: -a), [_leaf(_r(5))]


@case("Pow")
def _pow():
    return (lambda a, p: a ** p), [_leaf(_r(3, 4, low=0.5)), _leaf(_r(4, seed=2))]


@case("Pow")
def _pow_scalar():
    return (lambda a: a ** 3.0), [_leaf(_r(2, 3))]


@case("Exp")
def _exp():
    return (lambda a: a.exp()), [_leaf(_r(3, 4))]


@case("Log")
def _log():
    return (lambda a: a.log()), [_leaf(_r(3, 4, low=0.3))]


@case("Sqrt")
def _sqrt():
    return (lambda a: a.sqrt()), [_leaf(_r(3, 4, low=0.3))]


@case("Abs")
def _abs():
    return (lambda a: a.abs()), [_leaf(_r(3, 4) + 0.05)]


@case("Clip")
def _clip():
    x = np.array([-2.0, -0.6, -0.2, 0.3, 0.7, 1.9])
    return (lambda a: a.clip(-0.5, 0.5)), [_leaf(x)]


@case("Where")
def _where():
    cond = _r(3, 4) > 0
    from ..functional import where
    return (lambda a, b: where(cond, a, b)), [_leaf(_r(3, 4, seed=1)), _leaf(_r(4, seed=2))]


@case("MaskedFill")
def _masked_fill():
    mask = _r(3, 4) > 0
    return (lambda a: a.masked_fill(mask, -1.5)), [_leaf(_r(3, 4, seed=1))]


# Activations
@case("Sigmoid")
def _sigmoid():
    return (lambda a: a.sigmoid()), [_leaf(_r(3, 4) * 3)]


@case("ReLU")
def _relu():
    x = _r(3, 4)
    x[np.abs(x) < 0.05] = 0.3  # keep away from the kink at 0
    return (lambda a: a.relu()), [_leaf(x)]


@case("Tanh")
def _tanh():
    return (lambda a: a.tanh()), [_leaf(_r(3, 4))]


@case("GELU")
def _gelu():
    return (lambda a: a.gelu()), [_leaf(_r(3, 5) * 2)]


@case("GELU")
def _gelu_tanh():
    return (lambda a: a.gelu(approximate="tanh")), [_leaf(_r(3, 5) * 2)]


@case("Softmax")
def _softmax():
    return (lambda a: a.softmax(axis=0)), [_leaf(_r(4, 3))]


@case("LogSoftmax")
def _log_softmax():
    return (lambda a: a.log_softmax(axis=-1)), [_leaf(_r(2, 3, 5))]


# Linear algebra
@case("MatMul")
def _matmul_batched():
    return (lambda a, b: a @ b), [_leaf(_r(2, 3, 4)), _leaf(_r(4, 5, seed=1))]


@case("MatMul")
def _matmul_vec():
    return (lambda a, b: a @ b), [_leaf(_r(4)), _leaf(_r(2, 4, 3, seed=1))]


@case("MatMul")
def _matmul_dot():
    return (lambda a, b: a @ b), [_leaf(_r(4)), _leaf(_r(4, seed=1))]


@case("Linear")
def _linear():
    from ..functional import linear
    return (lambda x, w, b: linear(x, w, b)), [_leaf(_r(2, 3, 4)), _leaf(_r(5, 4, seed=1)),
                                               _leaf(_r(5, seed=2))]


# Reductions
@case("Sum")
def _sum():
    return (lambda a: a.sum(axis=1, keepdims=True)), [_leaf(_r(3, 4, 2))]


@case("Mean")
def _mean():
    return (lambda a: a.mean(axis=(0, 2))), [_leaf(_r(3, 4, 2))]


@case("Max")
def _max():
    return (lambda a: a.max(axis=-1)), [_leaf(_r(3, 4))]


# Shape
@case("Reshape")
def _reshape():
    return (lambda a: a.reshape(4, 3)), [_leaf(_r(2, 6))]


@case("Transpose")
def _transpose():
    return (lambda a: a.transpose(2, 0, 1)), [_leaf(_r(2, 3, 4))]


@case("GetItem")
def _getitem():
    idx = np.array([0, 2, 0])  # repeated index: gradients must add up
    return (lambda a: a[idx, 1:]), [_leaf(_r(3, 4))]


@case("Concatenate")
def _concat():
    from ..functional import concatenate
    return (lambda a, b: concatenate([a, b], axis=1)), [_leaf(_r(2, 3)), _leaf(_r(2, 2, seed=1))]


@case("Stack")
def _stack():
    from ..functional import stack
    return (lambda a, b: stack([a, b], axis=1)), [_leaf(_r(2, 3)), _leaf(_r(2, 3, seed=1))]


# Losses
@case("CrossEntropy")
def _ce():
    from ..functional import cross_entropy
    t = np.array([0, 2, 1, -100])
    return (lambda z: cross_entropy(z, t, label_smoothing=0.1)), [_leaf(_r(4, 3))]


@case("CrossEntropy")
def _ce_seq():
    from ..functional import cross_entropy
    t = np.array([[0, 2], [1, 1]])
    return (lambda z: cross_entropy(z, t, reduction="none")), [_leaf(_r(2, 3, 2))]


@case("BinaryCrossEntropy")
def _bce():
    from ..functional import binary_cross_entropy
    p = 1 / (1 + np.exp(-_r(5)))
    return (lambda p_, y: binary_cross_entropy(p_, y)), [_leaf(p), _leaf([0.0, 1, 1, 0, 0.3])]


@case("BinaryCrossEntropyWithLogits")
def _bce_logits():
    from ..functional import binary_cross_entropy_with_logits as bce
    return (lambda z, y: bce(z, y, reduction="sum")), [_leaf(_r(5) * 3), _leaf(_r(5, seed=1))]


@case("MSELoss")
def _mse():
    from ..functional import mse_loss
    return (lambda a, b: mse_loss(a, b)), [_leaf(_r(3, 2)), _leaf(_r(3, 2, seed=1))]


@case("MSELoss")
def _mse_half():
    from ..functional import mse_loss
    return (lambda a: mse_loss(a, np.ones((3, 2)), reduction="half_sum")), [_leaf(_r(3, 2))]


# Network blocks
@case("LayerNorm")
def _layer_norm():
    from ..functional import layer_norm
    return (lambda x, w, b: layer_norm(x, 5, w, b)), [
        _leaf(_r(2, 3, 5)), _leaf(_r(5, seed=1)), _leaf(_r(5, seed=2))]


@case("Embedding")
def _embedding():
    from ..functional import embedding
    ids = np.array([[1, 3, 1], [0, 3, 2]])
    return (lambda w: embedding(ids, w)), [_leaf(_r(4, 3))]


@case("Dropout")
def _dropout():
    from .nn_ops import Dropout
    mask = _r(3, 4) > 0
    return (lambda x: Dropout.apply(x, p=0.25, mask=mask)), [_leaf(_r(3, 4, seed=1))]


@case("ScaledDotProductAttention")
def _attention_causal():
    from ..functional import scaled_dot_product_attention as sdpa
    return (lambda q, k, v: sdpa(q, k, v, is_causal=True)), [
        _leaf(_r(1, 2, 3, 4)), _leaf(_r(1, 2, 3, 4, seed=1)), _leaf(_r(1, 2, 3, 4, seed=2))]


@case("ScaledDotProductAttention")
def _attention_mask():
    from ..functional import scaled_dot_product_attention as sdpa
    mask = np.array([[True, True, False, True], [True, False, True, True]])[:, None, :]
    return (lambda q, k, v: sdpa(q, k, v, mask=mask)), [
        _leaf(_r(2, 3, 4)), _leaf(_r(2, 4, 4, seed=1)), _leaf(_r(2, 4, 2, seed=2))]


@case("LSTM")
def _lstm():
    from ..functional import lstm
    T, B, I, H = 5, 2, 3, 4

    def fn(x, h0, c0, wih, whh, bih, bhh):
        hs, hT, cT = lstm(x, h0, c0, wih, whh, bih, bhh)
        return hs.sum(axis=0) * 0.5 + hT * cT

    return fn, [_leaf(_r(T, B, I)), _leaf(_r(B, H, seed=1) * 0.5), _leaf(_r(B, H, seed=2) * 0.5),
                _leaf(_r(4 * H, I, seed=3) * 0.5), _leaf(_r(4 * H, H, seed=4) * 0.5),
                _leaf(_r(4 * H, seed=5) * 0.1), _leaf(_r(4 * H, seed=6) * 0.1)]


def run_all(names=None) -> list:
    """Run every registered case (or those of ``names``); return [(name, report)]."""
    results = []
    for name in sorted(CASES if names is None else names):
        for builder in CASES.get(name, []):
            fn, inputs = builder()
            results.append((name, gradcheck(fn, inputs, name=name)))
    return results
